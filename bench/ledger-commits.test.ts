import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitCounters } from '../src/ledger/commit-stats.js';
import { commitsBetween, withLedgerCommits } from './ledger-commits.js';

describe('ledger commits per bench cell', () => {
  it('are what came between the snapshots before and after the cell', async () => {
    const counters = new CommitCounters();
    counters.committed(10, 50, 40); // before the cell: a slow commit the cell must not show
    counters.waited(50);
    const result = await withLedgerCommits(
      async () => counters.snapshot(),
      async () => {
        for (let i = 0; i < 100; i++) {
          counters.committed(4, 0.3, i % 2 === 0 ? 0.2 : 0); // every other one shared a transaction
          for (let k = 0; k < 3; k++) counters.waited(0.45);
        }
        counters.commitFailed();
        await new Promise((r) => setTimeout(r, 100)); // the cell lasts at least 100 ms
        return { tps: 1 };
      },
    );
    assert.equal(result.tps, 1);
    const c = result.ledger;
    assert.deepEqual([c.commits, c.entries, c.failed, c.waits], [100, 400, 1, 300]);
    assert.ok(Math.abs(c.commitMeanMs! - 0.3) < 1e-9);
    assert.equal(c.commitP99Ms, 0.5, 'the bound of the bucket of 0.3 ms');
    assert.ok(Math.abs(c.waitMeanMs! - 0.45) < 1e-9);
    assert.equal(c.waitP99Ms, 0.5);
    assert.ok(Math.abs(c.storeMeanMs! - 0.2) < 1e-9, 'per transaction: the shared ones do not count');
    // 50 transactions of 0.2 ms in a cell of at least 100 ms.
    assert.ok(c.storeBusyShare! > 0.05 && c.storeBusyShare! <= 0.1, `busy ${c.storeBusyShare}`);
  });

  it('leave the times undefined when nothing was committed', () => {
    const s = new CommitCounters().snapshot();
    const c = commitsBetween(s, s, 10_000);
    assert.deepEqual(c, {
      commits: 0,
      entries: 0,
      failed: 0,
      commitMeanMs: undefined,
      commitP99Ms: undefined,
      storeMeanMs: undefined,
      storeBusyShare: 0,
      waits: 0,
      waitMeanMs: undefined,
      waitP99Ms: undefined,
    });
  });
});
