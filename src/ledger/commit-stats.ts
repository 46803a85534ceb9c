/**
 * How the ledger's group commits are going, counted since the writer opened: how many commits,
 * how many entries each carried, how long a commit took from being sent to the store to being
 * durable, how long the store itself worked on it (the SQLite writer thread's transaction, which
 * may hold several commits sent while it was busy; the rest of a commit's time is spent waiting
 * for that thread), and how long an append that someone waits on (a strict-mode statement, an admin
 * change) waited in all, queue included. An operator reads it to tell what strict mode costs
 * on their disk (GET /api/v1/ledger/commits, `gatehouse ledger commits`); the pg benchmark
 * reads it before and after each cell.
 *
 * Times go into fixed buckets (1-2-5 steps from 50 µs to 10 s), so that two snapshots can be
 * subtracted and the quantiles of the interval between them read off; the mean is exact.
 */

/** Upper bounds of the buckets, in milliseconds; a last bucket holds everything above. */
export const BUCKET_BOUNDS_MS: readonly number[] = [
  0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000,
];

export interface LatencySnapshot {
  count: number;
  /** Sum of all times, ms. */
  sum_ms: number;
  max_ms: number;
  /** Counts per bucket (not cumulative), one more than BUCKET_BOUNDS_MS: the last is "above". */
  buckets: number[];
}

export class LatencyHistogram {
  private readonly buckets = new Array<number>(BUCKET_BOUNDS_MS.length + 1).fill(0);
  private count = 0;
  private sumMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    let i = 0;
    while (i < BUCKET_BOUNDS_MS.length && ms > BUCKET_BOUNDS_MS[i]!) i++;
    this.buckets[i]!++;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  snapshot(): LatencySnapshot {
    return { count: this.count, sum_ms: round(this.sumMs), max_ms: round(this.maxMs), buckets: [...this.buckets] };
  }
}

/** Microsecond precision is plenty for times read by people and subtracted by the bench. */
const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The part of `after` that came since `before` (two snapshots of one histogram); max is `after`'s. */
export function latencySince(after: LatencySnapshot, before: LatencySnapshot): LatencySnapshot {
  return {
    count: after.count - before.count,
    sum_ms: round(after.sum_ms - before.sum_ms),
    max_ms: after.max_ms,
    buckets: after.buckets.map((n, i) => n - (before.buckets[i] ?? 0)),
  };
}

/**
 * The upper bound of the bucket that holds the q-quantile (0 < q ≤ 1), in ms: the time that at
 * least that share of the samples did not exceed. Above the last bound it is the max. Undefined
 * when there are no samples.
 */
export function quantileMs(s: LatencySnapshot, q: number): number | undefined {
  if (s.count === 0) return undefined;
  const rank = Math.ceil(q * s.count);
  let seen = 0;
  for (let i = 0; i < s.buckets.length; i++) {
    seen += s.buckets[i]!;
    if (seen >= rank) return i < BUCKET_BOUNDS_MS.length ? Math.min(BUCKET_BOUNDS_MS[i]!, s.max_ms) : s.max_ms;
  }
  return s.max_ms;
}

export const meanMs = (s: LatencySnapshot): number | undefined => (s.count === 0 ? undefined : s.sum_ms / s.count);

/** What GET /ledger/commits returns. */
export interface CommitStats {
  /** When the counting started (the writer opened). */
  since: string;
  /** Commits that became durable, and the entries they carried. */
  commits: number;
  entries: number;
  /** Commits the store refused (their appends were rejected). */
  failed: number;
  /** From a commit being sent to the store to its answer (durable). */
  commit: LatencySnapshot;
  /**
   * The store's own time per transaction (commits it took together count once): its sum over
   * an interval, divided by the interval, is the share of the time the store was busy.
   */
  store: LatencySnapshot;
  /** From an append that someone waits on (not deferred) being queued to its being durable. */
  durable_wait: LatencySnapshot;
  /** While commits fail (a full disk, a store that is down): since when, and the last error; else null. */
  failing: { since: string; error: string } | null;
}

/** The counters behind CommitStats, kept by the Ledger. */
export class CommitCounters {
  private readonly since = new Date().toISOString();
  private commits = 0;
  private entries = 0;
  private failed = 0;
  private readonly commit = new LatencyHistogram();
  private readonly store = new LatencyHistogram();
  private readonly wait = new LatencyHistogram();

  /**
   * A commit of `entries` became durable `ms` after it was sent; `storeMs` is the store's own
   * time (Appended.storeMs: 0 when it shared the transaction before it, absent when the store
   * has no time of its own to report, and then the whole commit counts).
   */
  committed(entries: number, ms: number, storeMs?: number): void {
    this.commits++;
    this.entries += entries;
    this.commit.record(ms);
    if (storeMs === undefined) this.store.record(ms);
    else if (storeMs > 0) this.store.record(storeMs);
  }

  commitFailed(): void {
    this.failed++;
  }

  waited(ms: number): void {
    this.wait.record(ms);
  }

  snapshot(failing: CommitStats['failing'] = null): CommitStats {
    return {
      since: this.since,
      commits: this.commits,
      entries: this.entries,
      failed: this.failed,
      commit: this.commit.snapshot(),
      store: this.store.snapshot(),
      durable_wait: this.wait.snapshot(),
      failing,
    };
  }
}

export type LatencyView = ReturnType<typeof latencyView>;
export type CommitStatsView = ReturnType<typeof commitStatsView>;

/** A histogram as the API shows it: the snapshot, with its mean and quantiles worked out. */
export function latencyView(s: LatencySnapshot) {
  return { ...s, mean_ms: meanMs(s) ?? null, p50_ms: quantileMs(s, 0.5) ?? null, p90_ms: quantileMs(s, 0.9) ?? null, p99_ms: quantileMs(s, 0.99) ?? null };
}

/** CommitStats as GET /ledger/commits returns it. */
export function commitStatsView(stats: CommitStats) {
  return {
    ...stats,
    entries_per_commit: stats.commits === 0 ? null : stats.entries / stats.commits,
    bucket_bounds_ms: BUCKET_BOUNDS_MS,
    commit: latencyView(stats.commit),
    store: latencyView(stats.store),
    durable_wait: latencyView(stats.durable_wait),
  };
}
