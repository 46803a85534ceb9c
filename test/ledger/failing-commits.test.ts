import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { makeTestStore, type TestStore } from '../support/stores.js';
import { event, openTestLedger, type OpenTestLedger } from '../support/ledger.js';
import { storeSource, verifyLog } from '../../src/ledger/index.js';

/**
 * Makes the repo's commits fail, as a full disk does, while `down()` says so; counts the
 * commits tried. The wrapped commit does nothing before it throws, like a transaction that
 * rolled back.
 */
function storeThatFails(t: OpenTestLedger) {
  const append = t.repo.append.bind(t.repo);
  const state = { down: false, tries: 0, at: [] as number[] };
  t.repo.append = async (batch) => {
    state.tries++;
    state.at.push(performance.now());
    if (state.down) throw new Error('database or disk is full');
    return append(batch);
  };
  return state;
}

/** The `target.n` of each entry, in log order. */
async function logged(t: OpenTestLedger): Promise<number[]> {
  const rows = await t.repo.entries(0, 10_000);
  return rows.map((e) => JSON.parse(e.entry.toString('utf8')).target.n);
}

describe('the ledger when its store cannot commit (SQLite writer thread)', () => {
  let test: TestStore;
  beforeEach(async () => {
    test = await makeTestStore('sqlite');
  });
  afterEach(async () => test.cleanup());

  it('fails appends that are waited on, keeps deferred ones and writes them, in order, once the store commits again', async () => {
    const reports: string[] = [];
    const recoveries: { kept: number; downMs: number }[] = [];
    const t = await openTestLedger(test, { deferMs: 2, onError: (e) => reports.push(e.message), onRecovered: (r) => recoveries.push(r) });
    const store = storeThatFails(t);
    await t.ledger.append(event(0));
    store.down = true;
    const deferred = [1, 2, 3].map((n) => t.ledger.append(event(n), { deferred: true }));
    await assert.rejects(t.ledger.append(event(4)), /could not commit: database or disk is full/);
    assert.equal(t.ledger.failing, true);
    const failing = t.ledger.commitStats().failing;
    assert.equal(failing?.error, 'database or disk is full');
    assert.ok(Date.now() - Date.parse(failing!.since) < 60_000, failing?.since);
    const moreDeferred = t.ledger.append(event(5), { deferred: true });
    // Tried again after a delay, and again after a longer one, while the store stays down.
    const failedAt = store.tries;
    while (store.tries < failedAt + 2) await new Promise((r) => setTimeout(r, 20));
    const [failed, retry1, retry2] = store.at.slice(failedAt - 1);
    assert.ok(retry1! - failed! >= 95 && retry2! - retry1! >= 195, `tries ${Math.round(retry1! - failed!)} and ${Math.round(retry2! - retry1!)} ms apart (100, then 200)`);
    assert.equal(reports.length, 1, `one report for the spell of failures: ${reports.join(' | ')}`);
    assert.match(reports[0]!, /could not commit: database or disk is full; 3 deferred entries kept to try again; appends that are waited on fail until a commit succeeds$/);
    await t.ledger.drain(); // does not wait for the store to come back
    assert.equal(t.ledger.size, 1);

    store.down = false;
    const indexes = await Promise.all([...deferred, moreDeferred]);
    assert.deepEqual(indexes, [1, 2, 3, 4]);
    assert.equal(t.ledger.failing, false);
    assert.equal(t.ledger.commitStats().failing, null);
    assert.equal(recoveries.length, 1);
    assert.equal(recoveries[0]!.kept, 4);
    assert.ok(recoveries[0]!.downMs >= 400);
    assert.deepEqual(await logged(t), [0, 1, 2, 3, 5], 'the refused append (4) is not in the log; the kept ones are, in their order');
    await t.close();
    const check = await openTestLedger(test);
    const report = await verifyLog(storeSource(check.repo, 'sqlite'));
    assert.deepEqual([report.problems, report.size], [[], 5]);
    await check.close();
  });

  it('an append that is waited on tries the store at once, taking the kept entries with it', async () => {
    // Tried again only after a minute: an append resolved before then was tried at once.
    const t = await openTestLedger(test, { deferMs: 2, retryMs: { first: 60_000, max: 60_000 }, onError: () => undefined });
    const store = storeThatFails(t);
    store.down = true;
    const kept = t.ledger.append(event(10), { deferred: true });
    await t.ledger.drain();
    assert.equal(t.ledger.failing, true);
    store.down = false;
    const urgent = await t.ledger.append(event(11));
    assert.equal(await kept, urgent - 1);
    await t.close();
  });

  it('gives up the oldest kept entries beyond maxKept, and says how many', async () => {
    const reports: string[] = [];
    const t = await openTestLedger(test, { deferMs: 2, maxKept: 3, onError: (e) => reports.push(e.message) });
    const store = storeThatFails(t);
    store.down = true;
    const appends = [20, 21, 22, 23, 24].map((n) => t.ledger.append(event(n), { deferred: true }));
    const settled = Promise.allSettled(appends);
    await new Promise((r) => setTimeout(r, 50));
    store.down = false;
    const outcomes = (await settled).map((s) => s.status);
    assert.deepEqual(outcomes, ['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.ok(reports.some((m) => /2 deferred entries were given up after a failed commit \(database or disk is full\)/.test(m)), reports.join(' | '));
    await t.close();
  });

  it('beginClose (a server stopping) settles the kept entries at once: given up if the store still fails', async () => {
    const t = await openTestLedger(test, { deferMs: 2, retryMs: { first: 60_000, max: 60_000 }, onError: () => undefined });
    const store = storeThatFails(t);
    store.down = true;
    const kept = t.ledger.append(event(40), { deferred: true });
    await t.ledger.drain();
    assert.equal(t.ledger.failing, true);
    t.ledger.beginClose();
    await assert.rejects(kept, /could not commit/, 'not after the minute the retry would wait');
    store.down = false;
    await t.close();
  });

  it('closing while the store is down gives the kept entries one last try, then gives them up and says so', async () => {
    const reports: string[] = [];
    const t = await openTestLedger(test, { deferMs: 2, onError: (e) => reports.push(e.message) });
    const store = storeThatFails(t);
    await t.ledger.append(event(30));
    store.down = true;
    const kept = t.ledger.append(event(31), { deferred: true });
    await t.ledger.drain();
    const tries = store.tries;
    const givenUp = assert.rejects(kept, /could not commit/);
    await t.close(); // its final checkpoint is of what was committed (this store only fails appends)
    await givenUp;
    assert.equal(store.tries, tries + 1, 'one last try');
    assert.ok(reports.some((m) => /1 deferred entries were given up/.test(m)), reports.join(' | '));
  });
});

describe('the ledger\'s checkpoint timer when the store cannot take a checkpoint', () => {
  let test: TestStore;
  beforeEach(async () => {
    test = await makeTestStore('sqlite');
  });
  afterEach(async () => test.cleanup());

  it('reports the failure once while it lasts, not at every interval, and again after a success', async () => {
    const reports: string[] = [];
    const t = await openTestLedger(test, { checkpointIntervalMs: 20, onError: (e) => reports.push(e.message) });
    const addCheckpoint = t.repo.addCheckpoint.bind(t.repo);
    let down = true;
    t.repo.addCheckpoint = async (row) => {
      if (down) throw new Error('database or disk is full');
      return addCheckpoint(row);
    };
    await t.ledger.append(event(1));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(reports, ['the ledger could not store a checkpoint: database or disk is full']);
    down = false;
    while ((await t.repo.latestCheckpoint())?.size !== 1) await new Promise((r) => setTimeout(r, 20));
    down = true;
    await t.ledger.append(event(2));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(reports.length, 2, reports.join(' | '));
    down = false;
    await t.close();
  });
});
