// Worker thread: the SQLite ledger's group commits (see repo/sqlite-writer.ts).
import BetterSqlite3 from 'better-sqlite3';
import { appendTransaction } from '../repo/sqlite.js';
import type { AppendBatch, Appended } from '../repo/types.js';
import { packAppended, unpackBatch, type PackedAppended } from '../repo/batch-wire.js';
import type { WriterTask } from '../repo/sqlite-writer.js';
import { serveTaskGroups, type TaskReply } from './pool.js';

/** The one database this thread commits to (appendWriter starts a thread per store), once opened. */
let open: { file: string; commit: (batch: AppendBatch) => Appended } | undefined;

/** The commit function of this thread's database, opened by the first task; a task for another file is refused. */
function commitFor(tasks: WriterTask[]): (batch: AppendBatch) => Appended {
  if (!open) {
    const file = tasks[0]!.file;
    const db = new BetterSqlite3(file, { fileMustExist: true });
    // The same settings as the store's own connection (store/open.ts): durable at commit.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 10000');
    open = { file, commit: appendTransaction(db) };
  }
  const { file } = open;
  if (tasks.some((t) => t.file !== file)) throw new Error('a ledger writer thread serves one database');
  return open.commit;
}

/**
 * The batches posted while the previous commit ran go into one transaction (one fsync), in the
 * order they were posted; each is answered with where its own entries went. The main thread
 * posts a batch as soon as it has one, without waiting for the commit in flight, so a
 * statement that arrives mid-commit is committed right after it, with whatever else came.
 * A writer thread serves one database (appendWriter starts one per store).
 */
function commitGroup(tasks: WriterTask[]): TaskReply<PackedAppended>[] {
  const commit = commitFor(tasks);
  const { merged, starts } = concatBatches(tasks.map((t) => unpackBatch(t.packed)));
  const started = performance.now();
  const appended = commit(merged);
  const storeMs = performance.now() - started;
  return starts.map((start, i) => {
    // The group's one transaction is the first batch's time; the others shared it.
    const output = packAppended({ startIndex: appended.startIndex + start, frontier: appended.frontier, storeMs: i === 0 ? storeMs : 0 });
    return { output, transfer: [output.hashes] };
  });
}

/** The batches as one, and where each one's entries start in it. */
function concatBatches(batches: AppendBatch[]): { merged: AppendBatch; starts: number[] } {
  if (batches.length === 1) return { merged: batches[0]!, starts: [0] };
  const merged: AppendBatch = { entries: [], payloads: [] };
  const starts: number[] = [];
  for (const batch of batches) {
    const start = merged.entries.length;
    starts.push(start);
    for (const entry of batch.entries) merged.entries.push(entry);
    for (const p of batch.payloads) merged.payloads.push({ ...p, offset: start + p.offset });
  }
  return { merged, starts };
}

serveTaskGroups<WriterTask, PackedAppended>(commitGroup);
