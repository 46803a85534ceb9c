import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LedgerTallier } from './ledger-tally.js';
import { parseMysqlBenchArgs } from './mysql.js';
import { checkLedger, checkTargets, Results, summariseRun, workloadRows, type TargetName } from './mysql-report.js';
import { Results as PgResults } from './pg-report.js';

function results(cells: [number, TargetName, number][]): Results {
  const r = new Results();
  for (const [clients, target, tps] of cells) r.add({ script: 'point-select', clients, target, result: summariseRun(clients, tps * 10, 1, 10) });
  return r;
}

function pg(direct: number, strict: number, async: number): PgResults {
  const r = new PgResults();
  for (const [target, tps] of [['direct', direct], ['strict', strict], ['async', async]] as const) {
    r.add({ script: 'select-only', clients: 8, target, result: { clients: 8, transactions: tps * 10, failed: 0, tps, latencyMs: 8000 / tps } });
  }
  return r;
}

describe('mysql bench report', () => {
  it('derives TPS, statements/s and the average latency of a closed loop', () => {
    const run = summariseRun(8, 2000, 9, 4);
    assert.equal(run.tps, 500);
    assert.equal(run.statements, 18_000);
    assert.equal(run.statementsPerSecond, 4500);
    assert.equal(run.latencyMs, 16); // 8 clients × 4 s ÷ 2,000 transactions
  });

  it('puts TPS, the ratios to direct and latencies in one row per client count, with — where not measured', () => {
    const [one, eight] = workloadRows(results([[8, 'direct', 40_000], [8, 'strict', 6_000]]), 'point-select', [1, 8]);
    assert.equal(one!['direct tps'], '—');
    assert.equal(eight!['direct tps'], 40_000);
    assert.equal(eight!['gh strict tps'], 6_000);
    assert.equal(eight!['strict/direct'], '0.15×');
    assert.equal(eight!['async/direct'], '—');
    assert.equal(eight!['direct ms'], 0.2);
    assert.deepEqual(Object.keys(eight!), ['clients', 'direct tps', 'gh strict tps', 'gh async tps', 'strict/direct', 'async/direct', 'direct ms', 'gh strict ms', 'gh async ms']);
  });

  it('checks each mode against the PostgreSQL gateway\'s ratio at 8 clients, at the boundary', () => {
    const mysql = results([[8, 'direct', 40_000], [8, 'strict', 4_000], [8, 'async', 11_999]]);
    const [strict, async] = checkTargets(mysql, pg(20_000, 2_000, 6_000));
    assert.equal(strict!.met, true, strict!.measured); // 0.10 vs 0.10
    assert.equal(async!.met, false, async!.measured); // 0.29998 vs 0.30
    assert.equal(strict!.measured, '0.10× vs 0.10×');
  });

  it('marks the target not measured without the PostgreSQL comparison or a column', () => {
    assert.deepEqual(checkTargets(results([[8, 'direct', 40_000], [8, 'strict', 4_000]]), undefined).map((c) => c.met), [null, null]);
    assert.deepEqual(checkTargets(results([[8, 'direct', 40_000]]), pg(1, 1, 1)).map((c) => c.met), [null, null]);
  });

  it('holds the ledger to every statement sent, no errors, and exactly the denials provoked', () => {
    const tally = (allowed: number, ok: number, denied: number, error = 0) => ({ queries: allowed + denied, allowed, denied, outcomes: { ok, error, not_run: 0 } });
    assert.equal(checkLedger('strict', tally(100, 100, 1), 100, 1).met, true);
    assert.equal(checkLedger('strict', tally(101, 101, 1), 100, 1).met, true, 'a client may send statements of its own');
    assert.equal(checkLedger('strict', tally(99, 99, 1), 100, 1).met, false);
    assert.equal(checkLedger('strict', tally(100, 98, 1), 100, 1).met, false, 'an outcome is missing');
    assert.equal(checkLedger('strict', tally(100, 100, 0), 100, 1).met, false, 'the policy probe was not denied');
    assert.equal(checkLedger('strict', tally(100, 100, 1, 1), 100, 1).met, false);
  });
});

describe('ledger tally', () => {
  it('counts one connection\'s statements and the outcomes of its allowed ones', () => {
    const query = (name: string, engine: string, allow: boolean) => ({ action: 'db.query', target: { name, engine }, decision: { allow } });
    const t = new LedgerTallier('bench', 'mysql');
    const events = [
      { action: 'auth.login', target: { name: 'bench', engine: 'mysql' } },
      query('bench', 'mysql', true), // 1
      query('bench', 'mysql', true), // 2
      query('bench', 'mysql', false), // 3
      query('bench-pg', 'postgres', true), // 4
      query('bench', 'postgres', true), // 5: same name, other engine
      { action: 'db.results', outcome: { results: [{ entry: 1, status: 'ok' }, { entry: 2, status: 'error' }, { entry: 4, status: 'ok' }, { entry: 5, status: 'ok' }] } },
    ] as const;
    events.forEach((e, i) => t.add(i, e as never));
    assert.deepEqual(t.tally, { queries: 3, allowed: 2, denied: 1, outcomes: { ok: 1, error: 1, not_run: 0 } });
  });
});

describe('mysql bench options', () => {
  it('takes --seconds, --quick and --no-pg, and refuses anything else', () => {
    assert.deepEqual(parseMysqlBenchArgs([]), { seconds: 10, pg: true });
    assert.deepEqual(parseMysqlBenchArgs(['--quick', '--no-pg']), { seconds: 3, pg: false });
    assert.deepEqual(parseMysqlBenchArgs(['--seconds', '20']), { seconds: 20, pg: true });
    assert.throws(() => parseMysqlBenchArgs(['--seconds', 'x']), /--seconds/);
    assert.throws(() => parseMysqlBenchArgs(['--seconds']), /--seconds/);
    assert.throws(() => parseMysqlBenchArgs(['--clients', '4']), /unknown option --clients/);
  });
});
