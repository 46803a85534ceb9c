import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { machineCpuTicks, processCpuMicros, withMachineIdle, withProcessCpu } from './process-cpu.js';

/** Spins until this process has spent `ms` more of CPU time (not wall time: the machine may be busy). */
const SPIN = (ms: number) => `{ const start = process.cpuUsage(); for (;;) { const u = process.cpuUsage(start); if (u.user + u.system >= ${ms * 1000}) break; } }`;

describe('process CPU time from /proc', () => {
  it("counts another process's CPU time while it works, and not while it sleeps", async () => {
    const child = spawn(process.execPath, ['-e', `${SPIN(300)}; console.log('spun'); setTimeout(() => {}, 30_000);`]);
    try {
      const before = processCpuMicros(child.pid!);
      await once(child.stdout, 'data');
      const busy = processCpuMicros(child.pid!);
      // /proc counts in 10 ms ticks; start-up adds some before the spin.
      assert.ok(busy - before >= 280_000 && busy < 10_000_000, `spun 300 ms, counted ${busy - before} µs`);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(processCpuMicros(child.pid!) - busy < 50_000, 'a sleeping process spends (almost) nothing');
    } finally {
      child.kill();
    }
  });

  it('gives CPU per transaction of what ran meanwhile', async () => {
    const measured = await withProcessCpu(process.pid, async () => {
      new Function(SPIN(200))();
      return { transactions: 1000 };
    });
    assert.ok(measured.proxyCpuUs >= 180 && measured.proxyCpuUs < 2000, `200 ms over 1,000 transactions, got ${measured.proxyCpuUs} µs each`);
    assert.equal(measured.transactions, 1000);
    const none = await withProcessCpu(process.pid, async () => ({ transactions: 0 }));
    assert.ok(Number.isNaN(none.proxyCpuUs));
  });

  it("reads the machine's idle share: a run that spins one core leaves at most the other cores idle", async () => {
    const ticks = machineCpuTicks();
    assert.ok(ticks.total > 0 && ticks.idle >= 0 && ticks.idle <= ticks.total);
    const spinning = await withMachineIdle(async () => {
      new Function(SPIN(300))();
      return { spun: true };
    });
    assert.equal(spinning.spun, true);
    assert.ok(spinning.idleShare >= 0 && spinning.idleShare <= 1, `${spinning.idleShare}`);
    // One spinning core of two or more leaves at most (cores - 1) / cores idle.
    const cores = (await import('node:os')).availableParallelism();
    assert.ok(spinning.idleShare <= (cores - 1) / cores + 0.05, `one core spun, yet ${spinning.idleShare} of the machine sat idle`);
  });

  it('names the process it cannot read', () => {
    assert.throws(() => processCpuMicros(2 ** 22 + 12345), /cannot read \/proc\/\d+\/stat/);
  });
});
