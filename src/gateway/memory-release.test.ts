import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { MemoryReleaser, releaseFreeMemory } from './memory-release.js';

const rssMiB = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('releasing freed memory to the OS', () => {
  it('gives back what a thread freed and glibc kept (malloc_trim on the thread pool)', async () => {
    if (process.platform !== 'linux') {
      // Without glibc nothing is done, and the release says so.
      assert.equal(await releaseFreeMemory(), false);
      return;
    }
    // A thread allocates ~150 MB in small buffers (its own malloc arena) and ends: glibc keeps the memory.
    await new Promise<void>((resolve, reject) => {
      const code = 'const keep = []; for (let i = 0; i < 150000; i++) keep.push(Buffer.allocUnsafeSlow(1000).fill(1));';
      const worker = new Worker(code, { eval: true });
      worker.once('exit', () => resolve()).once('error', reject);
    });
    await sleep(100);
    const kept = rssMiB();
    assert.equal(await releaseFreeMemory(), true);
    const after = rssMiB();
    assert.ok(kept - after >= 100, `RSS ${kept.toFixed(1)} MiB before, ${after.toFixed(1)} MiB after`);
    assert.equal(typeof (await releaseFreeMemory()), 'boolean', 'again, with little left to give');
  });

  it('releases once activity has been quiet, at most once per interval, and not after close', async () => {
    let released = 0;
    const releaser = new MemoryReleaser(async () => (released++, true), { quietMs: 40, minIntervalMs: 400 });
    for (let i = 0; i < 5; i++) {
      releaser.noteActivity();
      await sleep(10);
    }
    assert.equal(released, 0, 'not while sessions keep opening');
    await sleep(200);
    assert.equal(released, 1, 'once, after the burst');
    releaser.noteActivity();
    await sleep(100);
    assert.equal(released, 1, 'a second burst right after waits for the interval');
    await sleep(500);
    assert.equal(released, 2);
    releaser.noteActivity();
    releaser.close();
    await sleep(500);
    assert.equal(released, 2, 'closed: nothing more');
  });

  it('a release that fails is not the gateway\'s failure', async () => {
    let tried = 0;
    const releaser = new MemoryReleaser(async () => {
      tried++;
      throw new Error('no allocator here');
    }, { quietMs: 10, minIntervalMs: 10 });
    releaser.noteActivity();
    await sleep(150);
    assert.equal(tried, 1);
    releaser.close();
  });
});
