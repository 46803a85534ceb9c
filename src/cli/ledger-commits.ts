import { Command } from 'commander';
import { action } from './action.js';
import { ApiClient } from './client.js';
import { example, withApi, type OutputFlags } from './admin/common.js';
import { printFields, printJson } from './table.js';
// Types only (erased): the CLI reads what the API sends without loading the ledger.
import type { CommitStatsView, LatencyView } from '../ledger/commit-stats.js';

const ms = (v: number) => `${v < 10 ? v.toFixed(3) : v.toFixed(1)} ms`;

/** "mean 0.412 ms, p50 ≤ 0.5 ms, p99 ≤ 2 ms, max 3.100 ms": quantiles are bucket bounds, hence ≤. */
export function latencyLine(h: LatencyView): string {
  if (h.count === 0) return 'none yet';
  return `mean ${ms(h.mean_ms!)}, p50 ≤ ${ms(h.p50_ms!)}, p99 ≤ ${ms(h.p99_ms!)}, max ${ms(h.max_ms)}`;
}

/** What `serve` says of its ledger's commits when it stops: "12,345 entries in 3,456 group commits, mean 0.412 ms to durable". */
export function commitsSummary(s: { commits: number; entries: number; commit: { count: number; sum_ms: number } }): string {
  if (s.commits === 0) return 'nothing appended';
  return `${s.entries.toLocaleString('en-US')} entries in ${s.commits.toLocaleString('en-US')} group commits, mean ${ms(s.commit.sum_ms / s.commit.count)} to durable`;
}

/** `gatehouse ledger commits`: the running server's group commits (GET /ledger/commits). */
export function ledgerCommitsCommand(): Command {
  return example(
    withApi(
      new Command('commits').description(
        "how the running server's ledger group commits have gone since it started: commits, entries per commit, time to durable, the store's own time (admins and auditors)",
      ),
    ),
    'gatehouse ledger commits --url http://gatehouse-host:8080',
  ).action(
    action(async (flags: OutputFlags) => {
      const s = await ApiClient.from(flags).get<CommitStatsView>('/ledger/commits');
      if (flags.json) return printJson(s);
      const count = (n: number) => n.toLocaleString('en-US');
      printFields([
        ['since', s.since],
        ...(s.failing ? [['failing', `since ${s.failing.since}: ${s.failing.error}`] as [string, string]] : []),
        ['commits', `${count(s.commits)}${s.failed > 0 ? ` (and ${count(s.failed)} failed)` : ''}`],
        ['entries', `${count(s.entries)}${s.entries_per_commit === null ? '' : ` (${s.entries_per_commit.toFixed(2)} per commit)`}`],
        ['commit time', latencyLine(s.commit)],
        ['store time', `${latencyLine(s.store)}${s.store.count > 0 ? ` (${count(s.store.count)} transactions, ${(s.store.sum_ms / 1000).toFixed(1)} s in all)` : ''}`],
        ['durable wait', `${latencyLine(s.durable_wait)}${s.durable_wait.count > 0 ? ` (${count(s.durable_wait.count)} appends waited on)` : ''}`],
      ]);
    }),
  );
}
