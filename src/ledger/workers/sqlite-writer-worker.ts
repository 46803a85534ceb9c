// Worker thread: the SQLite ledger's group commits (see repo/sqlite-writer.ts).
import BetterSqlite3 from 'better-sqlite3';
import { appendTransaction } from '../repo/sqlite.js';
import type { AppendBatch, Appended } from '../repo/types.js';
import { packAppended, unpackBatch, type PackedAppended } from '../repo/batch-wire.js';
import type { WriterTask } from '../repo/sqlite-writer.js';
import { serveTasks } from './pool.js';

const commits = new Map<string, (batch: AppendBatch) => Appended>();

function commitFor(file: string): (batch: AppendBatch) => Appended {
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

serveTasks<WriterTask, PackedAppended>(({ file, packed }) => {
  const output = packAppended(commitFor(file)(unpackBatch(packed)));
  return { output, transfer: [output.hashes] };
});
