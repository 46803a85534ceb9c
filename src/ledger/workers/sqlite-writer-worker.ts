// Worker thread: the SQLite ledger's group commits (see repo/sqlite-writer.ts).
import BetterSqlite3 from 'better-sqlite3';
import { appendTransaction } from '../repo/sqlite.js';
import type { AppendBatch } from '../repo/types.js';
import { unpackBatch } from '../repo/batch-wire.js';
import type { WriterTask } from '../repo/sqlite-writer.js';
import { serveTasks } from './pool.js';

const commits = new Map<string, (batch: AppendBatch) => boolean>();

function commitFor(file: string): (batch: AppendBatch) => boolean {
  let commit = commits.get(file);
  if (!commit) {
    const db = new BetterSqlite3(file, { fileMustExist: true });
    // The same settings as the store's own connection (store/open.ts): durable at commit.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    commit = appendTransaction(db);
    commits.set(file, commit);
  }
  return commit;
}

serveTasks<WriterTask, boolean>(({ file, packed }) => ({ output: commitFor(file)(unpackBatch(packed)) }));
