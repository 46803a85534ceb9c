import { latencySince, meanMs, quantileMs, type CommitStats } from '../src/ledger/index.js';

/** A gateway's ledger group commits during one cell: GET /ledger/commits before and after it. */
export interface CellCommits {
  commits: number;
  entries: number;
  failed: number;
  /** Sent to the store → durable, ms: mean, and the p99 bucket bound. */
  commitMeanMs?: number;
  commitP99Ms?: number;
  /** The store's own time per transaction (the SQLite writer thread's), ms, and its share of the cell's time. */
  storeMeanMs?: number;
  storeBusyShare?: number;
  /** Appends someone waited on (strict-mode statements): queued → durable, ms. */
  waits: number;
  waitMeanMs?: number;
  waitP99Ms?: number;
}

/** What came between two snapshots of one ledger's commit statistics, `elapsedMs` apart. */
export function commitsBetween(before: CommitStats, after: CommitStats, elapsedMs: number): CellCommits {
  const commit = latencySince(after.commit, before.commit);
  const store = latencySince(after.store, before.store);
  const wait = latencySince(after.durable_wait, before.durable_wait);
  return {
    commits: after.commits - before.commits,
    entries: after.entries - before.entries,
    failed: after.failed - before.failed,
    commitMeanMs: meanMs(commit),
    commitP99Ms: quantileMs(commit, 0.99),
    storeMeanMs: meanMs(store),
    storeBusyShare: elapsedMs > 0 ? store.sum_ms / elapsedMs : undefined,
    waits: wait.count,
    waitMeanMs: meanMs(wait),
    waitP99Ms: quantileMs(wait, 0.99),
  };
}

/** Runs `run` and adds the ledger's commits during it, read through `read` (the admin API). */
export async function withLedgerCommits<R>(read: () => Promise<CommitStats>, run: () => Promise<R>): Promise<R & { ledger: CellCommits }> {
  const before = await read();
  const started = performance.now();
  const result = await run();
  const elapsedMs = performance.now() - started;
  return { ...result, ledger: commitsBetween(before, await read(), elapsedMs) };
}
