import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { machineCpuTicks, mainThreadCpuMicros, processCpuMicros, processTreeCpuMicros, reapedChildrenCpuMicros, withMachineIdle, withProcessCpu, withServerAndClientCpu } from './process-cpu.js';

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

  it("tells a process's main thread from its other threads: a worker thread's spin counts for the process, not for the main thread", async () => {
    const worker = `new (require('node:worker_threads').Worker)(${JSON.stringify(`${SPIN(300)}; require('node:worker_threads').parentPort.postMessage('spun')`)}, { eval: true })`;
    const child = spawn(process.execPath, ['-e', `console.log('ready'); process.stdin.once('data', () => { const w = ${worker}; w.once('message', () => { console.log('worker spun'); process.stdin.once('data', () => { ${SPIN(200)}; console.log('main spun'); }); }); });`]);
    try {
      await once(child.stdout, 'data');
      const read = () => ({ all: processCpuMicros(child.pid!), main: mainThreadCpuMicros(child.pid!) });
      const ready = read();
      child.stdin.write('go\n');
      await once(child.stdout, 'data');
      const workerSpun = read();
      assert.ok(workerSpun.all - ready.all >= 280_000, `the worker spun 300 ms; the process counted ${workerSpun.all - ready.all} µs`);
      // Starting a worker costs the main thread a little (its isolate is set up on the new thread).
      assert.ok(workerSpun.main - ready.main < 100_000, `the main thread only waited, yet counted ${workerSpun.main - ready.main} µs`);
      child.stdin.write('go\n');
      await once(child.stdout, 'data');
      const mainSpun = read();
      assert.ok(mainSpun.main - workerSpun.main >= 180_000, `the main thread spun 200 ms, counted ${mainSpun.main - workerSpun.main} µs`);
      // Read one after the other, in 10 ms ticks: the thread may show a tick or two more than the process.
      assert.ok(mainSpun.all - workerSpun.all + 20_000 >= mainSpun.main - workerSpun.main, 'the process counts its main thread too');
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
    // Read one after the other, and each adjusted to the scheduler's runtime on its own (proc(5), 10 ms ticks): the thread may show a tick or two (10 µs each over 1,000) more.
    assert.ok(measured.proxyMainCpuUs >= 180 && measured.proxyMainCpuUs <= measured.proxyCpuUs + 20, `the spin ran on the main thread: ${measured.proxyMainCpuUs} of ${measured.proxyCpuUs} µs each`);
    assert.equal(measured.transactions, 1000);
    const none = await withProcessCpu(process.pid, async () => ({ transactions: 0 }));
    assert.ok(Number.isNaN(none.proxyCpuUs) && Number.isNaN(none.proxyMainCpuUs));
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

  it('counts a process tree: children alive, and children that ended and were reaped', async () => {
    // The parent spins 100 ms, starts a child that spins 200 ms and waits for it to end
    // (reaped: its time moves into the parent's cutime), starts another that spins 200 ms and
    // stays alive, then says so and sleeps.
    const child = (ms: number, then: string) => `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(`${SPIN(ms)}; ${then}`)}], { stdio: ['ignore', 'pipe', 'inherit'] })`;
    const parentScript = `${SPIN(100)};
      const ended = ${child(200, '')};
      ended.on('exit', () => {
        const alive = ${child(200, "console.log('spun'); setTimeout(() => {}, 30_000)")};
        alive.stdout.once('data', () => console.log('ready'));
        process.on('SIGTERM', () => (alive.kill(), process.exit()));
      });
      setTimeout(() => {}, 30_000);`;
    const parent = spawn(process.execPath, ['-e', parentScript]);
    try {
      await once(parent.stdout, 'data');
      const own = processCpuMicros(parent.pid!);
      const tree = processTreeCpuMicros(parent.pid!);
      // Three Node start-ups and 500 ms of spinning: the tree holds both children's 400 ms beyond the parent's own time.
      assert.ok(tree - own >= 380_000, `the children spun 400 ms, the tree counted ${tree - own} µs beyond the parent`);
      assert.ok(tree < 10_000_000, `${tree}`);
    } finally {
      parent.kill();
      await once(parent, 'exit');
    }
  });

  it("counts the reaped children's time of a process: what pgbench spent, once it ended", async () => {
    const before = reapedChildrenCpuMicros(process.pid);
    const child = spawn(process.execPath, ['-e', SPIN(200)]);
    await once(child, 'exit');
    const spent = reapedChildrenCpuMicros(process.pid) - before;
    assert.ok(spent >= 180_000 && spent < 5_000_000, `a child spun 200 ms, counted ${spent} µs`);
  });

  it("gives the server's and the client's CPU per transaction of a run, and leaves the server out when it has no process", async () => {
    const server = spawn(process.execPath, ['-e', `process.stdin.on('data', () => { ${SPIN(150)}; console.log('done'); })`]);
    try {
      const measured = await withServerAndClientCpu(server.pid!, async () => {
        server.stdin.write('go\n');
        await once(server.stdout, 'data');
        await once(spawn(process.execPath, ['-e', SPIN(100)]), 'exit');
        return { transactions: 100 };
      });
      assert.ok(measured.serverCpuUs! >= 1400 && measured.serverCpuUs! < 20_000, `server spun 150 ms over 100 transactions: ${measured.serverCpuUs} µs each`);
      assert.ok(measured.clientCpuUs >= 900 && measured.clientCpuUs < 20_000, `client spun 100 ms over 100 transactions: ${measured.clientCpuUs} µs each`);
    } finally {
      server.kill();
    }
    const alone = await withServerAndClientCpu(undefined, async () => ({ transactions: 0 }));
    assert.equal('serverCpuUs' in alone, false);
    assert.ok(Number.isNaN(alone.clientCpuUs));
  });

  it('names the process it cannot read', () => {
    assert.throws(() => processTreeCpuMicros(2 ** 22 + 12345), /cannot read \/proc\/\d+\/stat: no such process/);
    assert.throws(() => processCpuMicros(2 ** 22 + 12345), /cannot read \/proc\/\d+\/stat/);
    assert.throws(() => mainThreadCpuMicros(2 ** 22 + 12345), /cannot read \/proc\/\d+\/task\/\d+\/stat/);
  });
});
