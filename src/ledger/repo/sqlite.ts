import type BetterSqlite3 from 'better-sqlite3';
import type {
  AppendBatch,
  CheckpointRow,
  EntryRow,
  LedgerRepo,
  NodeRun,
  NodeRow,
  PayloadRow,
  RedactionRow,
} from './types.js';

interface RawNode { level: number; idx: number; hash: Buffer }
interface RawPayload { idx: number; salt: Buffer; payload: string }
interface RawCheckpoint { size: number; note: string; created_at: string }
interface RawRedaction { idx: number; redaction_idx: number; reason: string; redacted_at: string }

/**
 * A page of entries as one blob: per row a 32-character hex header (index, leaf hash length,
 * entry length), the leaf hash and the entry. Verify reads every entry, and better-sqlite3
 * costs ~5 µs per row to hand out two Buffers; concatenated in SQL the page costs ~1.4 µs a
 * row. The header carries each row's own index and lengths, so nothing is assumed of the
 * stored values (a gap, or a tampered hash of another length, shows as it is). SQLite does
 * not promise to aggregate in the subquery's order (it does so today): rows are sorted after
 * unpacking if ever they are not, which is cheaper than ORDER BY in the aggregate (a sorter).
 */
const PACKED_ENTRIES = `
  SELECT CAST(group_concat(printf('%016x%08x%08x', idx, octet_length(leaf_hash), octet_length(entry)) || leaf_hash || entry, '') AS BLOB)
  FROM (SELECT idx, leaf_hash, entry FROM ledger_entries WHERE idx >= ? ORDER BY idx LIMIT ?)`;

const HEADER = 32;

/** The number written in `digits` lower-case hex digits at `at` (printf %x): a tenth of toString + parseInt. */
function hexAt(page: Buffer, at: number, digits: number): number {
  let n = 0;
  for (let i = at; i < at + digits; i++) {
    const c = page[i]!;
    n = n * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return n;
}

function unpackEntries(page: Buffer | null): EntryRow[] {
  const rows: EntryRow[] = [];
  if (!page) return rows; // no rows: group_concat gives NULL
  let ordered = true;
  for (let at = 0; at < page.length; ) {
    const index = hexAt(page, at, 16);
    const hashLength = hexAt(page, at + 16, 8);
    const entryLength = hexAt(page, at + 24, 8);
    const leafHash = page.subarray((at += HEADER), (at += hashLength));
    if (rows.length > 0 && rows[rows.length - 1]!.index > index) ordered = false;
    rows.push({ index, leafHash, entry: page.subarray(at, (at += entryLength)) });
  }
  return ordered ? rows : rows.sort((a, b) => a.index - b.index);
}

/** The ledger on SQLite through better-sqlite3 prepared statements (synchronous; each call is one short transaction). */
export function sqliteLedgerRepo(db: BetterSqlite3.Database): LedgerRepo {
  const q = {
    size: db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ledger_entries').pluck(),
    insertEntry: db.prepare('INSERT INTO ledger_entries (idx, leaf_hash, entry) VALUES (?, ?, ?)'),
    insertNode: db.prepare('INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    insertPayload: db.prepare('INSERT INTO ledger_payloads (idx, salt, payload) VALUES (?, ?, ?)'),
    leafHashes: db.prepare('SELECT idx, leaf_hash AS hash FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
    nodeHashes: db.prepare('SELECT idx, hash FROM ledger_nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx'),
    entries: db.prepare(PACKED_ENTRIES).pluck(),
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

  // BEGIN IMMEDIATE takes the write lock first, so the size check and the inserts see one state.
  const appendTx = db.transaction((batch: AppendBatch): boolean => {
    if ((q.size.get() as number) !== batch.startIndex) return false;
    for (const e of batch.entries) q.insertEntry.run(e.index, e.leafHash, e.entry);
    for (const n of batch.nodes) q.insertNode.run(n.level, n.index, n.hash);
    for (const p of batch.payloads) q.insertPayload.run(p.index, p.salt, p.payload);
    return true;
  });
  const redactTx = db.transaction((r: RedactionRow) => {
    q.insertRedaction.run(r.index, r.redactionIndex, r.reason, r.redactedAt);
    q.deletePayload.run(r.index);
  });

  const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({ size: r.size, note: r.note, createdAt: r.created_at });

  return {
    append: async (batch) => appendTx.immediate(batch),
    size: async () => q.size.get() as number,
    hashes: async (runs: readonly NodeRun[]) =>
      runs.map((run) => {
        const end = run.index + run.count;
        const rows = (
          run.level === 0 ? q.leafHashes.all(run.index, end) : q.nodeHashes.all(run.level, run.index, end)
        ) as { idx: number; hash: Buffer }[];
        const found = new Map(rows.map((r) => [r.idx, r.hash]));
        return Array.from({ length: run.count }, (_, i) => found.get(run.index + i));
      }),
    entries: async (start, limit) => unpackEntries(q.entries.get(start, limit) as Buffer | null),
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
