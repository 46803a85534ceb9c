import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { inclusionProof, storeSource, verifyLog } from '../src/ledger/index.js';
import { makeTestStore, type StoreKind, type TestStore } from '../test/support/stores.js';
import { openTestLedger } from '../test/support/ledger.js';
import { SQLITE_FILE } from '../src/store/index.js';
import { percentile, printTable } from './table.js';

/** A db.query event of a realistic size (~330 bytes canonical). */
function benchEvent(i: number) {
  return {
    actor: { id: `u-${i % 50}`, kind: 'human', name: `user-${i % 50}`, groups: ['analysts', 'emea'] },
    action: 'db.query',
    target: { connection: 'orders-prod', objects: ['public.orders', 'public.customers'] },
    decision: { allow: true, grants: ['analysts-read-sales'] },
    outcome: { rows: i % 100, duration_ms: 1.25, tag: 'SELECT' },
    context: { session: `s-${i >> 6}`, client_addr: '10.1.2.3', application: 'psql' },
  };
}

const now = () => performance.now();
const SECONDS_PER_ROW = 3;

type AppendRow = {
  store: string;
  batch: number;
  'entries/s': number;
  'p50 ms': number;
  'p99 ms': number;
};

/** Durable appends with `batch` appends in flight at once (they share one group commit). */
async function appendRun(kind: StoreKind, batch: number): Promise<AppendRow> {
  const test = await makeTestStore(kind);
  const t = await openTestLedger(test, { maxBatch: Math.max(batch, 1000) });
  const latencies: number[] = [];
  let n = 0;
  const started = now();
  while (now() - started < SECONDS_PER_ROW * 1000) {
    await Promise.all(
      Array.from({ length: batch }, async () => {
        const t0 = now();
        await t.ledger.append(benchEvent(n++));
        latencies.push(now() - t0);
      }),
    );
  }
  const elapsed = (now() - started) / 1000;
  await t.close();
  await test.cleanup();
  latencies.sort((a, b) => a - b);
  return {
    store: `gatehouse ledger, ${kind}`,
    batch,
    'entries/s': Math.round(n / elapsed),
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
  };
}

/** The floor: plain inserts of rows of the same size, in transactions of `batch`, same durability. */
async function bareRun(kind: StoreKind, batch: number): Promise<AppendRow> {
  const test = await makeTestStore(kind);
  const entry = Buffer.from(JSON.stringify(benchEvent(1)));
  const hash = Buffer.alloc(32, 7);
  let n = 0;
  const latencies: number[] = [];
  const started = now();
  if (kind === 'sqlite') {
    const db = new BetterSqlite3(join(test.dataDir, SQLITE_FILE));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (idx INTEGER PRIMARY KEY, leaf_hash BLOB, entry BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    const tx = db.transaction((from: number) => {
      for (let i = 0; i < batch; i++) insert.run(from + i, hash, entry);
    });
    while (now() - started < SECONDS_PER_ROW * 1000) {
      const t0 = now();
      tx(n);
      n += batch;
      latencies.push(now() - t0);
    }
    db.close();
  } else {
    const client = new pg.Client({ connectionString: (test.config as { url: string }).url });
    await client.connect();
    await client.query('CREATE TABLE t (idx BIGINT PRIMARY KEY, leaf_hash BYTEA, entry BYTEA)');
    while (now() - started < SECONDS_PER_ROW * 1000) {
      const t0 = now();
      const idx = Array.from({ length: batch }, (_, i) => n + i);
      await client.query('BEGIN');
      await client.query('INSERT INTO t SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])', [
        idx,
        idx.map(() => hash),
        idx.map(() => entry),
      ]);
      await client.query('COMMIT');
      n += batch;
      latencies.push(now() - t0);
    }
    await client.end();
  }
  const elapsed = (now() - started) / 1000;
  await test.cleanup();
  latencies.sort((a, b) => a - b);
  return {
    store: `bare ${kind} insert (floor)`,
    batch,
    'entries/s': Math.round(n / elapsed),
    'p50 ms': percentile(latencies, 50),
    'p99 ms': percentile(latencies, 99),
  };
}

/** Builds a log of `size` entries (group commits of 1000), then times verify and proofs on it. */
async function bigLogRun(kind: StoreKind, size: number, proofs: number) {
  const test: TestStore = await makeTestStore(kind);
  const t = await openTestLedger(test);
  const built = now();
  for (let i = 0; i < size; i += 1000) {
    await t.ledger.appendMany(Array.from({ length: Math.min(1000, size - i) }, (_, j) => benchEvent(i + j)));
  }
  const buildSeconds = (now() - built) / 1000;
  await t.ledger.checkpoint();

  const latencies: number[] = [];
  for (let i = 0; i < proofs; i++) {
    const index = Math.floor(Math.random() * size);
    const t0 = now();
    await inclusionProof(t.repo, index, size);
    latencies.push(now() - t0);
  }
  latencies.sort((a, b) => a - b);

  const verified = now();
  const report = await verifyLog(storeSource(t.repo, kind));
  const verifySeconds = (now() - verified) / 1000;
  if (!report.ok) throw new Error(`verify failed: ${report.problems[0]?.message}`);
  await t.close();
  await test.cleanup();
  return {
    store: kind,
    entries: size,
    'build entries/s': Math.round(size / buildSeconds),
    'verify entries/s': Math.round(size / verifySeconds),
    'proof p50 ms': percentile(latencies, 50),
    'proof p99 ms': percentile(latencies, 99),
  };
}

export async function ledgerBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const appendRows: AppendRow[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    for (const batch of [1, 100, 1000]) {
      appendRows.push(await appendRun(kind, batch));
      if (batch > 1) appendRows.push(await bareRun(kind, batch));
    }
  }
  printTable('Durable appends (batch = appends in flight, committed together; bare = plain INSERT of same-size rows)', appendRows);

  const bigRows = [
    await bigLogRun('sqlite', quick ? 100_000 : 1_000_000, 10_000),
    await bigLogRun('postgres', quick ? 50_000 : 200_000, 2_000),
  ];
  printTable('Large logs: build, full verify, inclusion proofs at the full size (random indexes)', bigRows);
  process.stdout.write(`json: ${JSON.stringify({ suite: 'ledger', appends: appendRows, logs: bigRows })}\n`);
}
