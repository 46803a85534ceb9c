import type BetterSqlite3 from 'better-sqlite3';
import { WorkerPool } from '../workers/pool.js';
import type { AppendBatch, Appended } from './types.js';
import { packBatch, unpackAppended, type PackedAppended } from './batch-wire.js';
import { appendTransaction } from './sqlite.js';

export interface AppendWriter {
  append(batch: AppendBatch): Promise<Appended>;
  close(): Promise<void>;
}

export interface WriterTask {
  file: string;
  /** The batch as batch-wire.ts packs it: one buffer, transferred rather than cloned. */
  packed: ArrayBuffer;
}

/**
 * Where group commits run. better-sqlite3 is synchronous, and a commit with
 * synchronous=FULL waits for the disk; on the main thread that wait stops everything else
 * (a gateway relaying statements, the API). So a file database commits in one writer thread
 * with its own connection (WAL lets the main thread's connection read meanwhile); the commit
 * is durable when the promise resolves, exactly as before. The thread starts at the first
 * append, so a store that is only read never starts one. One thread takes the batches in the
 * order they were posted, so commits may be pipelined (LedgerRepo.pipelined).
 */
export function appendWriter(db: BetterSqlite3.Database): AppendWriter {
  if (db.memory || db.name === '' || db.name === ':memory:') {
    const commit = appendTransaction(db);
    return { append: async (batch) => commit(batch), close: async () => undefined };
  }
  let pool: WorkerPool<WriterTask, PackedAppended> | undefined;
  return {
    append: async (batch) => {
      pool ??= new WorkerPool<WriterTask, PackedAppended>(new URL('../workers/sqlite-writer-worker.js', import.meta.url), 1);
      const packed = packBatch(batch);
      return unpackAppended(await pool.run({ file: db.name, packed }, [packed]));
    },
    close: async () => {
      const open = pool;
      pool = undefined;
      await open?.close();
    },
  };
}
