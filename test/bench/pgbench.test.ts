import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BenchError } from '../../bench/errors.js';
import { closeAll, openIdleSessions, readRssKib } from '../../bench/idle-rss.js';
import { findPgbench, pgTargetFromUrl, runPgbench } from '../../bench/pgbench.js';
import { TEST_PG_URL } from '../support/stores.js';

/** The real pgbench against the real server, with script files that need no pgbench tables. */
describe('pgbench runs (real pgbench, real PostgreSQL)', () => {
  const target = pgTargetFromUrl(TEST_PG_URL);
  const pgbench = findPgbench() ?? assert.fail('pgbench is not on PATH (install: apt-get install postgresql-client)');
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-pgbench-test-'));
    writeFileSync(join(dir, 'select1.sql'), 'SELECT 1;\n');
    writeFileSync(join(dir, 'broken.sql'), 'SELEC 1;\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses what this machine\'s pgbench prints', async () => {
    const r = await runPgbench(pgbench, target, { script: { file: join(dir, 'select1.sql') }, clients: 2, seconds: 1, threads: 2 });
    assert.equal(r.clients, 2);
    assert.equal(r.failed, 0);
    assert.ok(r.transactions > 0, `transactions ${r.transactions}`);
    assert.ok(r.tps > 0 && r.latencyMs > 0, JSON.stringify(r));
    // Clients × seconds ÷ transactions is the average latency, give or take the run's edges.
    const implied = (2 * 1000) / r.transactions;
    assert.ok(r.latencyMs > implied / 2 && r.latencyMs < implied * 2, `latency ${r.latencyMs} ms, implied ${implied} ms`);
  });

  it('fails loudly, with pgbench\'s words, when the run errors', async () => {
    await assert.rejects(
      runPgbench(pgbench, target, { script: { file: join(dir, 'broken.sql') }, clients: 1, seconds: 1, threads: 1 }),
      (e: Error) => e instanceof BenchError && /exited with \d+/.test(e.message) && /syntax error/.test(e.message),
    );
  });

  it('fails loudly when the target does not answer', async () => {
    await assert.rejects(
      runPgbench(pgbench, { ...target, port: 1 }, { script: { file: join(dir, 'select1.sql') }, clients: 1, seconds: 1, threads: 1 }),
      (e: Error) => e instanceof BenchError && /exited with/.test(e.message),
    );
  });
});

describe('idle sessions and RSS', () => {
  it('opens sessions that each reach the server, and closes them', async () => {
    const target = pgTargetFromUrl(TEST_PG_URL);
    const clients = await openIdleSessions(target, 5, 2);
    try {
      assert.equal(clients.length, 5);
      const pids = await Promise.all(clients.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid));
      assert.equal(new Set(pids).size, 5);
    } finally {
      await closeAll(clients);
    }
  });

  it('reads VmRSS of a live process and refuses a missing one', () => {
    const kib = readRssKib(process.pid);
    const rss = process.memoryUsage.rss() / 1024;
    assert.ok(kib > rss / 2 && kib < rss * 2, `VmRSS ${kib} KiB, process.memoryUsage ${rss} KiB`);
    assert.throws(() => readRssKib(2 ** 30), BenchError);
  });
});
