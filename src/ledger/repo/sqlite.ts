import type BetterSqlite3 from 'better-sqlite3';
import type { Frontier } from '../merkle/index.js';
import { extendTree, loadFrontierSync } from '../tree-store.js';
import type {
  AppendBatch,
  Appended,
  CheckpointRow,
  LedgerRepo,
  NodeRun,
  NodeRow,
  PayloadRow,
  RedactionRow,
} from './types.js';
import { unpackEntries, type EntryPage } from './packed.js';
import { appendWriter } from './sqlite-writer.js';

interface RawNode { level: number; idx: number; hash: Buffer }
interface RawPayload { idx: number; salt: Buffer; payload: string }
interface RawCheckpoint { size: number; note: string; created_at: string }
interface RawRedaction { idx: number; redaction_idx: number; reason: string; redacted_at: string }

/** A page of entries as one blob (packed.ts), its row count and last index: the header is written with printf. */
const PACKED_ENTRIES = `
  SELECT CAST(group_concat(printf('%016x%08x%08x', idx, octet_length(leaf_hash), octet_length(entry)) || leaf_hash || entry, '') AS BLOB),
    count(*), coalesce(max(idx), -1)
  FROM (SELECT idx, leaf_hash, entry FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?)`;

/**
 * Stored hashes for a list of spans, in one statement. The spans go in as JSON,
 * [[level, first, end], …], and json_each feeds each to a range search of the primary key of
 * ledger_entries (level 0) or ledger_nodes. Each span comes back as one blob, its hashes in
 * index order, with the count of rows found and whether each was 32 bytes: better-sqlite3
 * makes a Buffer per blob it returns, and that, not the search, was most of a proof's cost
 * (~3 µs a row; a proof at 1,000,000 entries reads about 80 hashes).
 */
const SPAN_HASHES = `
  SELECT r.key, count(*), min(length(e.leaf_hash) = 32), CAST(group_concat(e.leaf_hash, '' ORDER BY e.idx) AS BLOB)
    FROM json_each(@spans) r
    JOIN ledger_entries e ON r.value ->> 0 = 0 AND e.idx >= r.value ->> 1 AND e.idx < r.value ->> 2
    GROUP BY r.key
  UNION ALL
  SELECT r.key, count(*), min(length(n.hash) = 32), CAST(group_concat(n.hash, '' ORDER BY n.idx) AS BLOB)
    FROM json_each(@spans) r
    JOIN ledger_nodes n ON r.value ->> 0 > 0 AND n.level = r.value ->> 0 AND n.idx >= r.value ->> 1 AND n.idx < r.value ->> 2
    GROUP BY r.key`;

/**
 * Runs of one level this close together are read as one span, with the few hashes between
 * them: an inclusion path's runs of one stratum all lie in the same aligned block of 16 stored
 * hashes (tree-store.ts), so a proof at 1,000,000 entries reads 8 spans instead of 26 runs.
 */
const SPAN_GAP = 16;

type Span = [level: number, first: number, end: number];

/** Runs grouped into spans, and the span each run lies in. */
function spansOf(runs: readonly NodeRun[]): { spans: Span[]; spanOf: number[] } {
  const order = runs.map((_, i) => i).sort((a, b) => runs[a]!.level - runs[b]!.level || runs[a]!.index - runs[b]!.index);
  const spans: Span[] = [];
  const spanOf = new Array<number>(runs.length);
  for (const i of order) {
    const run = runs[i]!;
    const last = spans[spans.length - 1];
    if (last && last[0] === run.level && run.index <= last[2] + SPAN_GAP) last[2] = Math.max(last[2], run.index + run.count);
    else spans.push([run.level, run.index, run.index + run.count]);
    spanOf[i] = spans.length - 1;
  }
  return { spans, spanOf };
}

/** Stored hashes, run by run (LedgerRepo.hashes), read synchronously. */
function storedHashes(db: BetterSqlite3.Database): (runs: readonly NodeRun[]) => (Buffer | undefined)[][] {
  const spanHashes = db.prepare(SPAN_HASHES).raw();
  const leafHashes = db.prepare('SELECT idx, leaf_hash FROM ledger_entries WHERE idx >= ? AND idx < ?').raw();
  const nodeHashes = db.prepare('SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ?').raw();
  /** A span row by row: where a hash is missing or not 32 bytes (a damaged store), each as it is stored. */
  const slowly = ([level, first, end]: Span) => {
    const hashes = new Array<Buffer | undefined>(end - first).fill(undefined);
    const rows = (level === 0 ? leafHashes.all(first, end) : nodeHashes.all(level, first, end)) as [number, Buffer][];
    for (const [idx, hash] of rows) hashes[idx - first] = hash;
    return hashes;
  };
  return (runs) => {
    if (runs.length === 0) return [];
    const { spans, spanOf } = spansOf(runs);
    const found: ((Buffer | undefined)[] | undefined)[] = new Array(spans.length).fill(undefined);
    for (const [span, count, whole, blob] of spanHashes.all({ spans: JSON.stringify(spans) }) as [number, number, number, Buffer][]) {
      const [, first, end] = spans[span]!;
      found[span] =
        count === end - first && whole === 1
          ? Array.from({ length: count }, (_, i) => blob.subarray(i * 32, i * 32 + 32))
          : slowly(spans[span]!);
    }
    return runs.map((run, i) => {
      const span = spanOf[i]!;
      const at = run.index - spans[span]![1];
      return found[span]?.slice(at, at + run.count) ?? new Array<undefined>(run.count).fill(undefined);
    });
  };
}

/**
 * Group commits on SQLite. BEGIN IMMEDIATE takes the write lock first, so the end of the log
 * read there stays the end until the inserts commit. The tree's right edge is kept from this
 * connection's last commit and read from the stored hashes only when another writer has
 * appended since. Used in the writer thread (sqlite-writer.ts) and, for a database with no
 * file, in this thread.
 */
export function appendTransaction(db: BetterSqlite3.Database): (batch: AppendBatch) => Appended {
  const size = db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ledger_entries').pluck();
  const hashes = storedHashes(db);
  const insertEntries = rowInserter(db, 'INSERT INTO ledger_entries (idx, leaf_hash, entry) VALUES', 3);
  const insertNode = db.prepare('INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)');
  const insertPayloads = rowInserter(db, 'INSERT INTO ledger_payloads (idx, salt, payload) VALUES', 3);
  let tree: Frontier | undefined;
  const tx = db.transaction((batch: AppendBatch): Appended => {
    const startIndex = size.get() as number;
    // A copy: if the transaction fails, the kept edge must stay the committed one.
    const frontier = tree?.size === startIndex ? tree.clone() : loadFrontierSync(hashes, startIndex);
    const { rows, nodes } = extendTree(frontier, batch.entries);
    insertEntries(rows, (e, into, at) => ((into[at] = e.index), (into[at + 1] = e.leafHash), (into[at + 2] = e.entry)));
    for (const n of nodes) insertNode.run(n.level, n.index, n.hash);
    insertPayloads(batch.payloads, (p, into, at) => ((into[at] = startIndex + p.offset), (into[at + 1] = p.salt), (into[at + 2] = p.payload)));
    return { startIndex, frontier };
  });
  return (batch) => {
    const appended = tx.immediate(batch);
    tree = appended.frontier;
    return appended;
  };
}

/** Rows per multi-row INSERT: each statement run costs a call into SQLite and a result object, so a batch goes 16 rows a run. */
const ROWS_PER_INSERT = 16;

/**
 * Inserts rows with `prefix` (`INSERT INTO t (a, b, c) VALUES`), ROWS_PER_INSERT rows per
 * statement run and the rest one by one; `fill` writes a row's `columns` values at `at`.
 */
function rowInserter(db: BetterSqlite3.Database, prefix: string, columns: number) {
  const row = `(${Array(columns).fill('?').join(', ')})`;
  const many = db.prepare(`${prefix} ${Array(ROWS_PER_INSERT).fill(row).join(', ')}`);
  const one = db.prepare(`${prefix} ${row}`);
  const values: unknown[] = new Array(ROWS_PER_INSERT * columns);
  return <T>(rows: readonly T[], fill: (row: T, into: unknown[], at: number) => void): void => {
    let i = 0;
    for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
      for (let k = 0; k < ROWS_PER_INSERT; k++) fill(rows[i + k]!, values, k * columns);
      many.run(values);
    }
    const single: unknown[] = new Array(columns);
    for (; i < rows.length; i++) {
      fill(rows[i]!, single, 0);
      one.run(single);
    }
  };
}

/** The ledger on SQLite through better-sqlite3 prepared statements (synchronous; each call is one short transaction). */
export function sqliteLedgerRepo(db: BetterSqlite3.Database): LedgerRepo {
  const q = {
    size: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ledger_entries').pluck(),
    entries: db.prepare(PACKED_ENTRIES).raw(),
    nodes: db.prepare('SELECT level, idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?'),
    payloads: db.prepare('SELECT idx, salt, payload FROM ledger_payloads WHERE idx >= ? ORDER BY idx LIMIT ?'),
    payload: db.prepare('SELECT idx, salt, payload FROM ledger_payloads WHERE idx = ?'),
    redactions: db.prepare('SELECT idx, redaction_idx, reason, redacted_at FROM ledger_redactions ORDER BY idx'),
    insertRedaction: db.prepare(
      'INSERT INTO ledger_redactions (idx, redaction_idx, reason, redacted_at) VALUES (?, ?, ?, ?)',
    ),
    deletePayload: db.prepare('DELETE FROM ledger_payloads WHERE idx = ?'),
    checkpoints: db.prepare('SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size'),
    latestCheckpoint: db.prepare('SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1'),
    checkpointAt: db.prepare('SELECT size, note, created_at FROM ledger_checkpoints WHERE size = ?'),
    insertCheckpoint: db.prepare(
      'INSERT INTO ledger_checkpoints (size, note, created_at) VALUES (?, ?, ?) ON CONFLICT (size) DO NOTHING',
    ),
    verifierKeys: db.prepare('SELECT vkey FROM ledger_keys ORDER BY created_at, vkey').pluck(),
    insertKey: db.prepare('INSERT INTO ledger_keys (vkey, created_at) VALUES (?, ?) ON CONFLICT (vkey) DO NOTHING'),
    meta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    insertMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
  };

  const writer = appendWriter(db);
  const hashes = storedHashes(db);
  const redactTx = db.transaction((r: RedactionRow) => {
    q.insertRedaction.run(r.index, r.redactionIndex, r.reason, r.redactedAt);
    q.deletePayload.run(r.index);
  });

  const entryPage = (start: number, limit: number): EntryPage => {
    const [packed, count, last] = q.entries.get(start, limit) as [Buffer | null, number, number];
    return { count, last, packed: packed ?? new Uint8Array(0) };
  };

  const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({ size: r.size, note: r.note, createdAt: r.created_at });

  return {
    append: (batch) => writer.append(batch),
    pipelined: true,
    close: () => writer.close(),
    size: async () => q.size.get() as number,
    hashes: async (runs: readonly NodeRun[]) => hashes(runs),
    entries: async (start, limit) => unpackEntries(entryPage(start, limit).packed),
    entryPage: async (start, limit) => entryPage(start, limit),
    nodes: async (level, start, limit) =>
      (q.nodes.all(level, start, limit) as RawNode[]).map((r): NodeRow => ({ level: r.level, index: r.idx, hash: r.hash })),
    payloads: async (start, limit) =>
      (q.payloads.all(start, limit) as RawPayload[]).map(
        (r): PayloadRow => ({ index: r.idx, salt: r.salt, payload: r.payload }),
      ),
    payload: async (index) => {
      const r = q.payload.get(index) as RawPayload | undefined;
      return r && { index: r.idx, salt: r.salt, payload: r.payload };
    },
    redactions: async () =>
      (q.redactions.all() as RawRedaction[]).map((r) => ({
        index: r.idx,
        redactionIndex: r.redaction_idx,
        reason: r.reason,
        redactedAt: r.redacted_at,
      })),
    redact: async (r) => redactTx.immediate(r),
    checkpoints: async () => (q.checkpoints.all() as RawCheckpoint[]).map(toCheckpoint),
    latestCheckpoint: async () => {
      const r = q.latestCheckpoint.get() as RawCheckpoint | undefined;
      return r && toCheckpoint(r);
    },
    checkpointAt: async (size) => {
      const r = q.checkpointAt.get(size) as RawCheckpoint | undefined;
      return r && toCheckpoint(r);
    },
    addCheckpoint: async (row) => q.insertCheckpoint.run(row.size, row.note, row.createdAt).changes === 1,
    verifierKeys: async () => q.verifierKeys.all() as string[],
    addVerifierKey: async (vkey, createdAt) => {
      q.insertKey.run(vkey, createdAt);
    },
    meta: async (key) => q.meta.get(key) as string | undefined,
    metaSetIfAbsent: async (key, value) => {
      q.insertMeta.run(key, value);
      return q.meta.get(key) as string;
    },
  };
}
