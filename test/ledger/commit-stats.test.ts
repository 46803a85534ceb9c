import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeTestStore, type TestStore } from '../support/stores.js';
import { event, openTestLedger } from '../support/ledger.js';

/** Makes every commit of the repo take at least `ms` longer, and the next `failures` fail. */
function slowAndFailing(repo: { append: (batch: never) => Promise<unknown> }, ms: number, failures: number) {
  const append = repo.append.bind(repo);
  let left = failures;
  repo.append = async (batch) => {
    await new Promise((r) => setTimeout(r, ms));
    if (left > 0) {
      left--;
      throw new Error('disk full');
    }
    return append(batch);
  };
}

describe('ledger commit statistics (SQLite writer thread)', () => {
  let test: TestStore;
  before(async () => {
    test = await makeTestStore('sqlite');
  });
  after(async () => test.cleanup());

  it('count every commit and entry, and the durable wait of appends someone waits on, not deferred ones', async () => {
    const t = await openTestLedger(test, { deferMs: 5 });
    const appends = Array.from({ length: 120 }, (_, i) => t.ledger.append(event(i), { deferred: i % 3 === 0 }));
    await Promise.all(appends);
    await t.ledger.drain();
    const s = t.ledger.commitStats();
    assert.equal(s.entries, 120);
    assert.ok(s.commits >= 1 && s.commits <= 120, `${s.commits} commits`);
    assert.equal(s.commit.count, s.commits);
    assert.equal(s.failed, 0);
    assert.equal(s.durable_wait.count, 80, 'the 40 deferred appends are not waited on');
    assert.ok(s.commit.sum_ms > 0 && s.durable_wait.sum_ms > 0);
    assert.ok(s.store.count >= 1 && s.store.count <= s.commits, `${s.store.count} writer transactions`);
    assert.ok(s.store.sum_ms <= s.commit.sum_ms, 'the writer thread\'s own time lies within the commits\' time');
    await t.close();
  });

  it('measure the time to durable (a commit made 40 ms slower shows it) and count a failed commit apart', async () => {
    const t = await openTestLedger(test);
    slowAndFailing(t.repo as never, 40, 1);
    await assert.rejects(t.ledger.append(event(1000)), /could not commit: disk full/);
    await t.ledger.append(event(1001));
    const s = t.ledger.commitStats();
    assert.equal(s.failed, 1);
    assert.equal(s.commits, 1, 'the failed commit is not counted as one');
    assert.equal(s.entries, 1);
    assert.ok(s.commit.max_ms >= 39, `commit took ${s.commit.max_ms} ms`);
    assert.ok(s.store.max_ms < s.commit.max_ms - 30, `the writer's own ${s.store.max_ms} ms leaves out the 40 ms before the batch reached it`);
    assert.equal(s.durable_wait.count, 1, 'only the append that became durable');
    assert.ok(s.durable_wait.max_ms >= s.commit.max_ms - 1, 'its wait holds its commit');
    await t.close();
  });
});

describe('ledger commit statistics (PostgreSQL store)', () => {
  let test: TestStore;
  before(async () => {
    test = await makeTestStore('postgres');
  });
  after(async () => test.cleanup());

  it('count a commit\'s whole time as the store\'s, since PostgreSQL commits in this thread', async () => {
    const t = await openTestLedger(test);
    await Promise.all(Array.from({ length: 30 }, (_, i) => t.ledger.append(event(i))));
    const s = t.ledger.commitStats();
    assert.equal(s.entries, 30);
    assert.equal(s.durable_wait.count, 30);
    assert.equal(s.store.count, s.commits);
    assert.equal(s.store.sum_ms, s.commit.sum_ms);
    await t.close();
  });
});
