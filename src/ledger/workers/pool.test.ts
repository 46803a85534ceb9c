import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { leafHash, rootFromLeafHashes } from '../merkle/index.js';
import { packPage, scanEntries, HAS_COMMITMENT, IS_REDACTION, type PackedPage, type ScannedPage } from './leaf-scan.js';
import { WorkerPool } from './pool.js';

const LEAF_WORKER = new URL('./leaf-worker.js', import.meta.url);
const POOL = new URL('./pool.js', import.meta.url).href;

const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`{"n":${from + i}}`));

describe('worker pool', () => {
  it('answers every task with its own result, whatever order the workers finish in', async () => {
    const pool = new WorkerPool<PackedPage, ScannedPage>(LEAF_WORKER, 3);
    try {
      const pages = Array.from({ length: 20 }, (_, k) => entries(k * 100, 1 + ((k * 37) % 50)));
      const results = await Promise.all(pages.map((page) => pool.run(packPage(0, page))));
      results.forEach((scanned, k) => {
        assert.deepEqual(Buffer.from(scanned.hashes), Buffer.concat(pages[k]!.map((e) => leafHash(e))), `page ${k}`);
      });
    } finally {
      await pool.close();
    }
  });

  it('hashes and flags exactly as the inline scan does', async () => {
    const page = [
      Buffer.from('{"action":"db.query"}'),
      Buffer.from('{"payload_commitment":"x"}'),
      Buffer.from('{"action":"ledger.payload.redact","target":{"ledger_entry":1}}'),
      Buffer.from('{"note":"payload"}'),
      Buffer.alloc(0),
    ];
    const pool = new WorkerPool<PackedPage, ScannedPage>(LEAF_WORKER, 1);
    try {
      const scanned = await pool.run(packPage(0, page));
      const inline = scanEntries(0, page);
      assert.deepEqual(Buffer.from(scanned.hashes), Buffer.from(inline.hashes));
      assert.deepEqual(Buffer.from(scanned.blocks), Buffer.from(inline.blocks));
      assert.deepEqual([...scanned.flags], [0, HAS_COMMITMENT, IS_REDACTION, 0, 0]);
      assert.deepEqual([...inline.flags], [...scanned.flags]);
    } finally {
      await pool.close();
    }
  });

  it('flags each entry by its own bytes: several hits in one entry, a pattern across two entries, empty entries', () => {
    const page = [
      Buffer.from('{"payload_commitment":"a","x":"payload payload"}'),
      Buffer.from('{"k":"pay'),
      Buffer.from('load"}'),
      Buffer.alloc(0),
      Buffer.from('{"action":"ledger.payload.redact","payload_commitment":"b"}'),
      Buffer.alloc(0),
      Buffer.from('payload'),
      Buffer.from('{"action":"db.query"}'),
    ];
    const scanned = scanEntries(0, page);
    assert.deepEqual([...scanned.flags], [HAS_COMMITMENT, 0, 0, 0, HAS_COMMITMENT | IS_REDACTION, 0, 0, 0]);
    assert.deepEqual(Buffer.from(scanned.hashes), Buffer.concat(page.map((e) => leafHash(e))));
  });

  it('hashes each aligned block of 16 entries of a page, wherever the page starts', () => {
    const page = entries(0, 70);
    const leaves = page.map((e) => leafHash(e));
    for (const first of [0, 5, 16, 31]) {
      const scanned = scanEntries(first, page);
      const firstBlock = (16 - (first % 16)) % 16;
      assert.equal(scanned.firstBlock, firstBlock);
      const expected = [];
      for (let i = firstBlock; i + 16 <= page.length; i += 16) expected.push(rootFromLeafHashes(leaves.slice(i, i + 16)));
      assert.deepEqual(Buffer.from(scanned.blocks), Buffer.concat(expected), `first ${first}`);
    }
  });

  it('rejects only the failing task; the pool keeps serving', async () => {
    const pool = new WorkerPool<PackedPage | null, ScannedPage>(LEAF_WORKER, 1);
    try {
      await assert.rejects(pool.run(null), /Cannot destructure|null/);
      assert.equal((await pool.run(packPage(0, entries(0, 2)))).flags.length, 2);
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
