import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addedLatencyMs, asyncBudgetLine, checkTargets, cpuRows, ledgerRows, megabytes, Results, scriptRows, strictCycleLine, yardstickLine, type TargetName } from './pg-report.js';

const result = (tps: number, latencyMs: number) => ({ clients: 8, transactions: tps * 10, failed: 0, tps, latencyMs });

function results(cells: [number, TargetName, number, number][]): Results {
  const r = new Results();
  for (const [clients, target, tps, ms] of cells) r.add({ script: 'select-only', clients, target, result: result(tps, ms) });
  return r;
}

describe('pg bench report', () => {
  it('puts TPS, ratios and latencies in one row per client count, with — where a column was skipped', () => {
    const r = results([
      [8, 'direct', 50000, 0.16],
      [8, 'pgbouncer', 31000, 0.26],
      [8, 'strict', 17000, 0.47],
    ]);
    const [one, eight] = scriptRows(r, 'select-only', [1, 8]);
    assert.equal(one!['direct tps'], '—');
    assert.equal(eight!['direct tps'], 50000);
    assert.equal(eight!['pgbouncer tps'], 31000);
    assert.equal(eight!['strict/direct'], '0.34×');
    assert.equal(eight!['strict/pgb'], '0.55×');
    assert.equal(eight!['async/pgb'], '—');
    assert.equal(eight!['gh strict ms'], 0.47);
    assert.equal(eight!['gh async ms'], '—');
  });

  it('sets the gateway beside the framing relay, and the relay beside PgBouncer', () => {
    const r = results([
      [8, 'pgbouncer', 10000, 0.8],
      [8, 'async', 5100, 1.6],
    ]);
    const line = yardstickLine(r, result(7500, 1.1));
    assert.match(line, /: 7,500 tps = 0\.75× PgBouncer; Gatehouse async = 0\.68× of it, strict = not measured\n$/);
    assert.equal(yardstickLine(r, undefined), '');
  });

  it('lists the CPU per transaction of each process on the path, their sum and the idle share, one row per measured cell, with — where not measured', () => {
    const r = new Results();
    r.add({ script: 'select-only', clients: 8, target: 'direct', result: { ...result(66000, 0.12), serverCpuUs: 21.26, clientCpuUs: 9.1, idleShare: 0.02 } });
    r.add({ script: 'select-only', clients: 8, target: 'pgbouncer', result: { ...result(36000, 0.22), proxyCpuUs: 14.04, proxyMainCpuUs: 14.04, serverCpuUs: 30, clientCpuUs: 12.5, idleShare: 0.061 } });
    r.add({ script: 'select-only', clients: 8, target: 'strict', result: { ...result(0, 0), proxyCpuUs: Number.NaN, proxyMainCpuUs: Number.NaN, serverCpuUs: Number.NaN, clientCpuUs: Number.NaN, idleShare: 0.236 } }); // no transactions
    r.add({ script: 'select-only', clients: 8, target: 'async', result: { ...result(21000, 0.39), proxyCpuUs: 35.56, proxyMainCpuUs: 27.61, clientCpuUs: 14, idleShare: 0.164 } }); // server not measured
    r.add({ script: 'select-only', clients: 32, target: 'async', result: { ...result(20000, 1.6), proxyCpuUs: 36, proxyMainCpuUs: 28, serverCpuUs: 40, clientCpuUs: 10, idleShare: 0.1 } });
    const relay = { ...result(31000, 0.26), proxyCpuUs: 18.56, proxyMainCpuUs: 18.4, serverCpuUs: 24, clientCpuUs: 8.6, idleShare: 0.04 };
    const rows = [
      { script: 'select-only', clients: 8, target: 'direct', proxy: '', 'main thread': '', postgres: '21.3 µs', pgbench: '9.1 µs', sum: '30.4 µs', idle: '2 %' },
      { script: 'select-only', clients: 8, target: 'pgbouncer', proxy: '14.0 µs', 'main thread': '14.0 µs', postgres: '30.0 µs', pgbench: '12.5 µs', sum: '56.5 µs', idle: '6 %' },
      { script: 'select-only', clients: 8, target: 'gh strict', proxy: '—', 'main thread': '—', postgres: '—', pgbench: '—', sum: '—', idle: '24 %' },
      { script: 'select-only', clients: 8, target: 'gh async', proxy: '35.6 µs', 'main thread': '27.6 µs', postgres: '—', pgbench: '14.0 µs', sum: '—', idle: '16 %' },
    ];
    assert.deepEqual(cpuRows(r, [8]), rows);
    // The relay's row follows the -S cells at 8 clients, and only those.
    const relayRow = { script: 'select-only', clients: 8, target: 'framing relay', proxy: '18.6 µs', 'main thread': '18.4 µs', postgres: '24.0 µs', pgbench: '8.6 µs', sum: '51.2 µs', idle: '4 %' };
    const withRelay = cpuRows(r, [8, 32], relay);
    assert.deepEqual(withRelay.slice(0, 5), [...rows, relayRow]);
    assert.deepEqual(withRelay.map((row) => `${row.clients} ${row.target}`).slice(5), ['32 gh async']);
    assert.deepEqual(cpuRows(new Results(), [8]), [], 'no cells, no rows');
  });

  it("gives the async target's CPU budget per transaction, what the framing relay's path leaves of it, and async's path beyond the relay's", () => {
    const r = new Results();
    // Busy 1.8 cores of 2 at 0.75 × 30,000 tps: 80 µs per transaction for the whole path.
    r.add({ script: 'select-only', clients: 8, target: 'pgbouncer', result: { ...result(30000, 0.27), proxyCpuUs: 13, serverCpuUs: 33, clientCpuUs: 10, idleShare: 0.1 } });
    const relay = { ...result(25000, 0.32), proxyCpuUs: 18.5, serverCpuUs: 40, clientCpuUs: 11.5, idleShare: 0.05 };
    const line = asyncBudgetLine(r, relay, 2);
    assert.match(line, /0\.75 × PgBouncer = 22,500 tps; with the machine as busy as in PgBouncer's cell \(10 % idle of 2 cores\) the whole path may cost 80\.0 µs per transaction\./);
    assert.match(line, /The framing relay's path cost 70\.0 µs \(the relay 18\.5 µs\), which leaves 10\.0 µs for parsing, deciding and recording a statement; Gatehouse async's path: not measured\n$/);
    r.add({ script: 'select-only', clients: 8, target: 'async', result: { ...result(18000, 0.44), proxyCpuUs: 37, serverCpuUs: 45, clientCpuUs: 12, idleShare: 0.12 } });
    assert.match(asyncBudgetLine(r, relay, 2), /Gatehouse async's path cost 94\.0 µs, 24\.0 µs beyond the relay's\n$/);
    assert.equal(asyncBudgetLine(r, undefined, 2), '', 'no relay, no line');
    assert.equal(asyncBudgetLine(r, { ...relay, serverCpuUs: undefined }, 2), '', "the relay's path not measured whole, no line");
    assert.equal(asyncBudgetLine(new Results(), relay, 2), '', 'no PgBouncer cell, no line');
  });

  it("lists each gateway cell's ledger commits, and leaves out cells without them", () => {
    const r = new Results();
    const strict = { commits: 40_000, entries: 150_000, failed: 0, commitMeanMs: 0.2514, commitP99Ms: 1, storeMeanMs: 0.2, storeBusyShare: 0.476, waits: 140_000, waitMeanMs: 0.43, waitP99Ms: 2 };
    r.add({ script: 'select-only', clients: 8, target: 'strict', result: { ...result(14000, 0.57), ledger: strict } });
    r.add({ script: 'select-only', clients: 8, target: 'async', result: { ...result(20000, 0.4), ledger: { commits: 0, entries: 0, failed: 0, waits: 0 } } });
    r.add({ script: 'select-only', clients: 8, target: 'pgbouncer', result: result(30000, 0.26) });
    assert.deepEqual(ledgerRows(r, [8]), [
      { script: 'select-only', clients: 8, mode: 'strict', commits: 40_000, 'entries/commit': '3.75', 'commit ms': '0.251', 'commit p99 ≤ ms': '1.000', 'store ms': '0.200', 'store busy': '48 %', 'wait ms': '0.430', 'wait p99 ≤ ms': '2.000', failed: 0 },
      { script: 'select-only', clients: 8, mode: 'async', commits: 0, 'entries/commit': '—', 'commit ms': '—', 'commit p99 ≤ ms': '—', 'store ms': '—', 'store busy': '—', 'wait ms': '—', 'wait p99 ≤ ms': '—', failed: 0 },
    ]);
  });

  it("splits strict's cycle per client into the durable wait and the rest, beside async's cycle and the target's", () => {
    const r = results([
      [8, 'pgbouncer', 12642, 0.63],
      [8, 'async', 7326, 1.09],
    ]);
    assert.equal(strictCycleLine(r), '', 'no strict cell');
    const ledger = { commits: 13047, entries: 30859, failed: 0, waits: 30796, waitMeanMs: 1.3017 };
    r.add({ script: 'select-only', clients: 8, target: 'strict', result: { ...result(3123, 2.56), ledger } });
    assert.equal(
      strictCycleLine(r),
      "Strict at 8 clients (-S): a client's cycle 2.56 ms = durable wait 1.30 ms + the rest 1.26 ms; async's whole cycle 1.09 ms; the strict target (0.5 × PgBouncer) needs a cycle ≤ 1.27 ms\n",
    );
  });

  it("gives the relay's CPU per transaction in the yardstick line when it was measured", () => {
    const r = results([[8, 'pgbouncer', 10000, 0.8]]);
    assert.match(yardstickLine(r, { ...result(7500, 1.1), proxyCpuUs: 21.96 }), /: 7,500 tps \(22\.0 µs CPU per transaction\) = 0\.75× PgBouncer;/);
  });

  it('checks the targets at 8 clients against PgBouncer, at their boundaries', () => {
    const r = results([
      [8, 'pgbouncer', 30000, 0.26],
      [8, 'async', 22500, 0.3],
      [8, 'strict', 14999, 0.5],
    ]);
    const [async, strict, rss] = checkTargets(r, { sessions: 1000, beforeKib: 80_000, afterKib: 195_312 });
    assert.equal(async!.met, true, async!.measured);
    assert.equal(strict!.met, false, strict!.measured);
    assert.equal(rss!.met, true); // 195,312 KiB = 199.999 MB
    assert.equal(checkTargets(r, { sessions: 1000, beforeKib: 80_000, afterKib: 195_313 })[2]!.met, false);
    assert.equal(checkTargets(r, { sessions: 999, beforeKib: 80_000, afterKib: 100_000 })[2]!.met, false);
  });

  it('marks a target not measured rather than met or missed', () => {
    const checks = checkTargets(results([[8, 'pgbouncer', 30000, 0.26]]), undefined);
    assert.deepEqual(checks.map((c) => c.met), [null, null, null]);
    assert.ok(checks.every((c) => c.measured === 'not measured'));
  });

  it('computes the added latency at 1 client from -S only', () => {
    const r = results([
      [1, 'direct', 7000, 0.127],
      [1, 'strict', 4000, 0.25],
    ]);
    assert.ok(Math.abs(addedLatencyMs(r, 'strict')! - 0.123) < 1e-9);
    assert.equal(addedLatencyMs(r, 'async'), undefined);
    assert.equal(megabytes(195_312), 200);
  });
});
