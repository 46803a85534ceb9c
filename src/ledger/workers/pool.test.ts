import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { leafHash } from '../merkle/index.js';
import { packRows } from '../repo/packed.js';
import type { ScannedPage } from './leaf-scan.js';
import { WorkerPool } from './pool.js';

const LEAF_WORKER = new URL('./leaf-worker.js', import.meta.url);
const POOL = new URL('./pool.js', import.meta.url).href;

const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`{"n":${from + i}}`));
const pack = (first: number, page: Buffer[]) => packRows(page.map((entry, i) => ({ index: first + i, entry }))).packed;

describe('worker pool', () => {
  it('answers every task with its own result, whatever order the workers finish in', async () => {
    const pool = new WorkerPool<Uint8Array, ScannedPage>(LEAF_WORKER, 3);
    try {
      const pages = Array.from({ length: 20 }, (_, k) => entries(k * 100, 1 + ((k * 37) % 50)));
      const results = await Promise.all(pages.map((page, k) => pool.run(pack(k * 100, page))));
      results.forEach((scanned, k) => {
        assert.deepEqual(Buffer.from(scanned.hashes), Buffer.concat(pages[k]!.map((e) => leafHash(e))), `page ${k}`);
      });
    } finally {
      await pool.close();
    }
  });

  it('rejects only the failing task; the pool keeps serving', async () => {
    const pool = new WorkerPool<unknown, ScannedPage>(LEAF_WORKER, 1);
    try {
      await assert.rejects(pool.run(42), /argument must be/);
      assert.equal((await pool.run(pack(0, entries(0, 2)))).flags.length, 2);
    } finally {
      await pool.close();
    }
  });

  it('fails every task in flight, and later ones, when a worker dies; close rejects what is left', async () => {
    const dying = new URL(`data:text/javascript,import { parentPort } from "node:worker_threads"; parentPort.on("message", () => process.exit(7));`);
    const pool = new WorkerPool<number, number>(dying, 1);
    await assert.rejects(pool.run(1), /exited \(code 7\)/);
    await assert.rejects(pool.run(2), /exited \(code 7\)/);
    await pool.close();

    const silent = new URL('data:text/javascript,setInterval(() => {}, 1000);');
    const idle = new WorkerPool<number, number>(silent, 2);
    const pending = assert.rejects(idle.run(1), /closed/);
    await idle.close();
    await pending;
  });

  it('serveTaskGroups hands the tasks that waited while the worker was busy to one call, and a failure fails that group only', async () => {
    // Input 0 keeps the worker busy for 300 ms; -1 makes the handler throw.
    const worker = new URL(
      `data:text/javascript,import { serveTaskGroups } from ${JSON.stringify(POOL)};
      serveTaskGroups((inputs) => {
        if (inputs.includes(-1)) throw new Error("a negative input");
        if (inputs[0] === 0) { const until = Date.now() + 300; while (Date.now() < until); }
        return inputs.map((input) => ({ output: { input, group: inputs.length } }));
      });`,
    );
    const pool = new WorkerPool<number, { input: number; group: number }>(worker, 1);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    try {
      assert.deepEqual(await pool.run(9), { input: 9, group: 1 }); // the thread is up
      const busy = pool.run(0);
      await sleep(100);
      const waited = [1, 2, 3].map((n) => pool.run(n));
      assert.deepEqual(await busy, { input: 0, group: 1 });
      assert.deepEqual(await Promise.all(waited), [1, 2, 3].map((input) => ({ input, group: 3 })));

      const again = pool.run(0);
      await sleep(100);
      const failing = [5, -1, 6].map((n) => pool.run(n));
      await again;
      for (const task of failing) await assert.rejects(task, /a negative input/);
      assert.deepEqual(await pool.run(7), { input: 7, group: 1 });
    } finally {
      await pool.close();
    }
  });

  it('never keeps a process alive when idle, and keeps it alive while a task runs', () => {
    const script = `
      import { WorkerPool } from ${JSON.stringify(POOL)};
      const pool = new WorkerPool(new URL('data:text/javascript,import { parentPort } from "node:worker_threads"; parentPort.on("message", ({ id, input }) => setTimeout(() => parentPort.postMessage({ id, output: input * 2 }), 200));'), 2);
      console.log(await pool.run(21)); // only the busy worker holds the process open here
    `; // and the pool is never closed: the process must still end by itself
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(result.signal, null, 'the process hung');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), '42');
  });
});
