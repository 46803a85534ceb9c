import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUCKET_BOUNDS_MS, CommitCounters, commitStatsView, LatencyHistogram, latencySince, meanMs, quantileMs } from './commit-stats.js';

describe('commit statistics', () => {
  it('puts each time in the first bucket whose bound it does not exceed, and keeps count, sum and max', () => {
    const h = new LatencyHistogram();
    for (const ms of [0.01, 0.05, 0.06, 0.3, 0.3, 0.4, 7, 20_000]) h.record(ms);
    const s = h.snapshot();
    assert.equal(s.buckets.length, BUCKET_BOUNDS_MS.length + 1);
    const at = (bound: number) => s.buckets[BUCKET_BOUNDS_MS.indexOf(bound)];
    assert.equal(at(0.05), 2, '0.01 and 0.05 (a bound is inclusive)');
    assert.equal(at(0.1), 1);
    assert.equal(at(0.5), 3);
    assert.equal(at(10), 1);
    assert.equal(s.buckets.at(-1), 1, 'above the last bound');
    assert.equal(s.count, 8);
    assert.equal(s.sum_ms, 20_008.12);
    assert.equal(s.max_ms, 20_000);
  });

  it('reads quantiles as bucket bounds (the max above the last bound, or when smaller) and the exact mean', () => {
    const h = new LatencyHistogram();
    assert.equal(quantileMs(h.snapshot(), 0.5), undefined);
    assert.equal(meanMs(h.snapshot()), undefined);
    for (let i = 0; i < 98; i++) h.record(0.3);
    h.record(1.5);
    h.record(15_000);
    const s = h.snapshot();
    assert.equal(quantileMs(s, 0.5), 0.5);
    assert.equal(quantileMs(s, 0.98), 0.5);
    assert.equal(quantileMs(s, 0.99), 2);
    assert.equal(quantileMs(s, 1), 15_000);
    assert.equal(meanMs(s), (98 * 0.3 + 1.5 + 15_000) / 100);
    const small = new LatencyHistogram();
    small.record(0.3);
    assert.equal(quantileMs(small.snapshot(), 0.99), 0.3, 'never more than the largest time seen');
  });

  it('subtracts an earlier snapshot to give the interval between them', () => {
    const h = new LatencyHistogram();
    h.record(0.3);
    h.record(40);
    const before = h.snapshot();
    for (let i = 0; i < 10; i++) h.record(1.5);
    const since = latencySince(h.snapshot(), before);
    assert.equal(since.count, 10);
    assert.equal(since.sum_ms, 15);
    assert.equal(quantileMs(since, 0.99), 2);
    assert.equal(since.buckets.reduce((a, b) => a + b, 0), 10);
  });

  it('counts commits, entries and failures, and shows entries per commit with each histogram\'s summary', () => {
    const c = new CommitCounters();
    assert.equal(commitStatsView(c.snapshot()).entries_per_commit, null);
    c.committed(3, 0.4);
    c.committed(5, 0.6, 0.25);
    c.committed(2, 0.9, 0); // took the transaction before it: not a transaction of its own
    c.commitFailed();
    c.waited(0.7);
    const view = commitStatsView(c.snapshot());
    assert.equal(view.commits, 3);
    assert.equal(view.entries, 10);
    assert.equal(view.failed, 1);
    assert.equal(view.entries_per_commit, 10 / 3);
    assert.ok(Math.abs(view.commit.mean_ms! - 1.9 / 3) < 1e-9);
    assert.equal(view.commit.p50_ms, 0.9, '0.6 ms is in the bucket up to 1 ms, and nothing took longer than 0.9');
    assert.equal(view.store.count, 2, 'a store without a time of its own counts the whole commit; a shared transaction once');
    assert.equal(view.store.sum_ms, 0.65);
    assert.equal(view.durable_wait.count, 1);
    assert.equal(view.durable_wait.p99_ms, 0.7);
    assert.ok(!Number.isNaN(Date.parse(view.since)));
  });
});
