import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTestStore, type TestStore } from '../support/stores.js';
import { event, openTestLedger } from '../support/ledger.js';

/** Lets every timer and immediate due now run (commits on SQLite finish within a few turns). */
const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('deferred appends', () => {
  let test: TestStore;
  before(async () => {
    test = await makeTestStore('sqlite');
  });
  after(async () => test.cleanup());

  it('wait for deferMs, join an ordinary append that comes first, and are committed by drain', async () => {
    const t = await openTestLedger(test, { deferMs: 60_000 });
    let committed: number | undefined;
    void t.ledger.append(event(0), { deferred: true }).then((i) => (committed = i));
    await turns();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(committed, undefined, 'a lone deferred append waits for company');
    assert.equal(await t.repo.size(), 0);

    // An ordinary append starts the commit at once, and the deferred one goes with it, first.
    const index = await t.ledger.append(event(1));
    assert.equal(index, 1);
    assert.equal(committed, 0);

    const later = t.ledger.append(event(2), { deferred: true });
    await t.ledger.drain();
    assert.equal(await later, 2);
    assert.equal(await t.repo.size(), 3);
    await t.close();
  });

  it('commit on their own after deferMs, or at once when a batch is full', async () => {
    const t = await openTestLedger(test, { deferMs: 30 });
    const start = performance.now();
    assert.equal(await t.ledger.append(event(3), { deferred: true }), 3);
    assert.ok(performance.now() - start >= 25, 'it waited about deferMs');
    await t.close();

    // With a deferral longer than the test, only a full batch can start the commit.
    const u = await openTestLedger(test, { deferMs: 600_000, maxBatch: 5 });
    const full = Array.from({ length: 5 }, (_, i) => u.ledger.append(event(4 + i), { deferred: true }));
    const first = await Promise.race([Promise.all(full), new Promise((r) => setTimeout(() => r('still waiting'), 10_000).unref())]);
    assert.deepEqual(first, [4, 5, 6, 7, 8]);
    await u.close();
  });

  it('are still all-or-nothing and in order with ordinary appends mixed in', async () => {
    const t = await openTestLedger(test, { deferMs: 5 });
    const appends = Array.from({ length: 200 }, (_, i) => t.ledger.append(event(9 + i), { deferred: i % 3 !== 0 }));
    assert.deepEqual(await Promise.all(appends), Array.from({ length: 200 }, (_, i) => 9 + i));
    await t.close();
  });
});
