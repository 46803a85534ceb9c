import type pg from 'pg';
import type { Frontier } from '../merkle/index.js';
import { extendTree, loadFrontier } from '../tree-store.js';
import type { AppendBatch, Appended, CheckpointRow, LedgerRepo, NodeRun, PayloadRow, RedactionRow } from './types.js';

/** One lock id for every writer of this database's ledger (several Gatehouse instances may share it). */
const APPEND_LOCK = 0x67617465; // "gate"

interface RawCheckpoint { size: string; note: string; created_at: string }

const toCheckpoint = (r: RawCheckpoint): CheckpointRow => ({ size: Number(r.size), note: r.note, createdAt: r.created_at });

/**
 * One group commit in one statement: the rows of every table as arrays (unnest). The writers'
 * lock is held, so the log still holds $1 entries; the check stays as a guard (ok false: nothing written).
 */
const APPEND_SQL = `
  WITH size AS (SELECT COALESCE(MAX(idx) + 1, 0) = $1::bigint AS ok FROM ledger_entries),
  entries AS (
    INSERT INTO ledger_entries (idx, leaf_hash, entry)
    SELECT * FROM unnest($2::bigint[], $3::bytea[], $4::bytea[]) WHERE (SELECT ok FROM size)
  ),
  nodes AS (
    INSERT INTO ledger_nodes (level, idx, hash)
    SELECT * FROM unnest($5::int[], $6::bigint[], $7::bytea[]) WHERE (SELECT ok FROM size)
  ),
  payloads AS (
    INSERT INTO ledger_payloads (idx, salt, payload)
    SELECT * FROM unnest($8::bigint[], $9::bytea[], $10::text[]) WHERE (SELECT ok FROM size)
  )
  SELECT ok FROM size`;

const SIZE_SQL = 'SELECT COALESCE(MAX(idx) + 1, 0)::text AS n FROM ledger_entries';

/** Stored hashes run by run (LedgerRepo.hashes) through a pool or one transaction's client. */
async function storedHashes(db: pg.Pool | pg.PoolClient, runs: readonly NodeRun[]): Promise<(Buffer | undefined)[][]> {
  // Every run's keys in two queries (leaves, nodes): one round trip each, whatever the proof.
  const keys = runs.flatMap((r) => Array.from({ length: r.count }, (_, i) => ({ level: r.level, index: r.index + i })));
  const leaves = keys.filter((k) => k.level === 0).map((k) => k.index);
  const nodes = keys.filter((k) => k.level !== 0);
  const found = new Map<string, Buffer>();
  if (leaves.length > 0) {
    const { rows } = await db.query<{ idx: string; leaf_hash: Buffer }>(
      'SELECT idx, leaf_hash FROM ledger_entries WHERE idx = ANY($1::bigint[])',
      [leaves],
    );
    for (const r of rows) found.set(`0/${r.idx}`, r.leaf_hash);
  }
  if (nodes.length > 0) {
    const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
      `SELECT n.level, n.idx, n.hash FROM ledger_nodes n
         JOIN unnest($1::int[], $2::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx`,
      [nodes.map((k) => k.level), nodes.map((k) => k.index)],
    );
    for (const r of rows) found.set(`${r.level}/${r.idx}`, r.hash);
  }
  return runs.map((r) => Array.from({ length: r.count }, (_, i) => found.get(`${r.level}/${r.index + i}`)));
}

/**
 * The ledger on PostgreSQL. A group commit is three round trips whatever its size (BEGIN with
 * the writers' lock, one statement for all rows, COMMIT) and one fsync.
 */
export function postgresLedgerRepo(pool: pg.Pool): LedgerRepo {
  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /** The tree's right edge as of this repo's last commit (read afresh when another writer appended since). */
  let tree: Frontier | undefined;

  return {
    append: async (batch: AppendBatch): Promise<Appended> => {
      const client = await pool.connect();
      try {
        // Serialize writers (the lock id is a constant, so BEGIN, the lock and the size share one
        // round trip). The size is read after the lock, in a snapshot that sees every committed append.
        const results = (await client.query(
          `BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK}); ${SIZE_SQL}`,
        )) as unknown as pg.QueryResult<{ n: string }>[];
        const startIndex = Number(results[2]!.rows[0]!.n);
        const frontier =
          tree?.size === startIndex ? tree.clone() : await loadFrontier({ hashes: (runs) => storedHashes(client, runs) }, startIndex);
        const { rows: entries, nodes } = extendTree(frontier, batch.entries);
        const { rows } = await client.query<{ ok: boolean }>(APPEND_SQL, [
          startIndex,
          entries.map((e) => e.index),
          entries.map((e) => e.leafHash),
          entries.map((e) => e.entry),
          nodes.map((n) => n.level),
          nodes.map((n) => n.index),
          nodes.map((n) => n.hash),
          batch.payloads.map((p) => startIndex + p.offset),
          batch.payloads.map((p) => p.salt),
          batch.payloads.map((p) => p.payload),
        ]);
        if (!rows[0]!.ok) throw new Error('the log changed under the writers\' lock');
        await client.query('COMMIT');
        tree = frontier;
        return { startIndex, frontier };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },

    size: async () => Number((await pool.query<{ n: string }>(SIZE_SQL)).rows[0]!.n),

    hashes: (runs: readonly NodeRun[]) => storedHashes(pool, runs),

    entries: async (start, limit) => {
      const { rows } = await pool.query<{ idx: string; leaf_hash: Buffer; entry: Buffer }>(
        'SELECT idx, leaf_hash, entry FROM ledger_entries WHERE idx >= $1 ORDER BY idx LIMIT $2',
        [start, limit],
      );
      return rows.map((r) => ({ index: Number(r.idx), leafHash: r.leaf_hash, entry: r.entry }));
    },

    nodes: async (level, start, limit) => {
      const { rows } = await pool.query<{ idx: string; hash: Buffer }>(
        'SELECT idx, hash FROM ledger_nodes WHERE level = $1 AND idx >= $2 ORDER BY idx LIMIT $3',
        [level, start, limit],
      );
      return rows.map((r) => ({ level, index: Number(r.idx), hash: r.hash }));
    },

    payloads: async (start, limit) => {
      const { rows } = await pool.query<{ idx: string; salt: Buffer; payload: string }>(
        'SELECT idx, salt, payload FROM ledger_payloads WHERE idx >= $1 ORDER BY idx LIMIT $2',
        [start, limit],
      );
      return rows.map((r): PayloadRow => ({ index: Number(r.idx), salt: r.salt, payload: r.payload }));
    },

    payload: async (index) => {
      const { rows } = await pool.query<{ idx: string; salt: Buffer; payload: string }>(
        'SELECT idx, salt, payload FROM ledger_payloads WHERE idx = $1',
        [index],
      );
      const r = rows[0];
      return r && { index: Number(r.idx), salt: r.salt, payload: r.payload };
    },

    redactions: async () => {
      const { rows } = await pool.query<{ idx: string; redaction_idx: string; reason: string; redacted_at: string }>(
        'SELECT idx, redaction_idx, reason, redacted_at FROM ledger_redactions ORDER BY idx',
      );
      return rows.map(
        (r): RedactionRow => ({
          index: Number(r.idx),
          redactionIndex: Number(r.redaction_idx),
          reason: r.reason,
          redactedAt: r.redacted_at,
        }),
      );
    },

    redact: (r) =>
      inTransaction(async (client) => {
        await client.query(
          'INSERT INTO ledger_redactions (idx, redaction_idx, reason, redacted_at) VALUES ($1, $2, $3, $4)',
          [r.index, r.redactionIndex, r.reason, r.redactedAt],
        );
        await client.query('DELETE FROM ledger_payloads WHERE idx = $1', [r.index]);
      }),

    checkpoints: async () =>
      (await pool.query<RawCheckpoint>('SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size')).rows.map(
        toCheckpoint,
      ),

    latestCheckpoint: async () => {
      const { rows } = await pool.query<RawCheckpoint>(
        'SELECT size, note, created_at FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
      );
      return rows[0] && toCheckpoint(rows[0]);
    },

    checkpointAt: async (size) => {
      const { rows } = await pool.query<RawCheckpoint>(
        'SELECT size, note, created_at FROM ledger_checkpoints WHERE size = $1',
        [size],
      );
      return rows[0] && toCheckpoint(rows[0]);
    },

    addCheckpoint: async (row) =>
      (
        await pool.query(
          'INSERT INTO ledger_checkpoints (size, note, created_at) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING',
          [row.size, row.note, row.createdAt],
        )
      ).rowCount === 1,

    verifierKeys: async () =>
      (await pool.query<{ vkey: string }>('SELECT vkey FROM ledger_keys ORDER BY created_at, vkey')).rows.map(
        (r) => r.vkey,
      ),

    addVerifierKey: async (vkey, createdAt) => {
      await pool.query('INSERT INTO ledger_keys (vkey, created_at) VALUES ($1, $2) ON CONFLICT (vkey) DO NOTHING', [
        vkey,
        createdAt,
      ]);
    },

    meta: async (key) => (await pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]?.value,

    metaSetIfAbsent: async (key, value) => {
      await pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
      return (await pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]!.value;
    },
  };
}
