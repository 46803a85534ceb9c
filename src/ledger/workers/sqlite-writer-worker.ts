// Worker thread: the SQLite ledger's group commits (see repo/sqlite-writer.ts).
import BetterSqlite3 from 'better-sqlite3';
import { appendTransaction } from '../repo/sqlite.js';
import type { AppendBatch } from '../repo/types.js';
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

// Buffers arrive as plain Uint8Arrays after the structured clone; better-sqlite3 binds Buffers.
const buffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

serveTasks<WriterTask, boolean>(({ file, batch }) => {
  const output = commitFor(file)({
    startIndex: batch.startIndex,
    entries: batch.entries.map((e) => ({ index: e.index, leafHash: buffer(e.leafHash), entry: buffer(e.entry) })),
    nodes: batch.nodes.map((n) => ({ level: n.level, index: n.index, hash: buffer(n.hash) })),
    payloads: batch.payloads.map((p) => ({ index: p.index, salt: buffer(p.salt), payload: p.payload })),
  });
  return { output };
});
