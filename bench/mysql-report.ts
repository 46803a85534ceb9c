import type { LedgerTally } from './ledger-tally.js';
import type { WorkloadName } from './mysql-workload.js';
import type { Results as PgResults } from './pg-report.js';
import { cellRows, Results as CellResults, times, type Measured, type TargetCheck } from './results.js';

/** The columns of the MySQL tables, in order. */
export const TARGETS = ['direct', 'strict', 'async'] as const;
export type TargetName = (typeof TARGETS)[number];
export const CLIENTS = [1, 8, 32] as const;

/** What one run of the clients measured. */
export interface MysqlRun extends Measured {
  clients: number;
  /** Transactions run by all clients together (for point selects, statements). */
  transactions: number;
  statements: number;
  /** From the start gate's opening to the last client's exit. */
  seconds: number;
  statementsPerSecond: number;
}

/**
 * TPS is transactions per second over the whole run; the average latency of a transaction
 * follows from the clients being closed loops (each sends its next statement once the last
 * is answered): clients × seconds ÷ transactions (Little's law).
 */
export function summariseRun(clients: number, transactions: number, statementsPerTransaction: number, seconds: number): MysqlRun {
  const statements = transactions * statementsPerTransaction;
  return {
    clients,
    transactions,
    statements,
    seconds: Math.round(seconds * 1000) / 1000,
    tps: transactions / seconds,
    statementsPerSecond: statements / seconds,
    latencyMs: Math.round(((clients * seconds * 1000) / transactions) * 1000) / 1000,
  };
}

export type Cell = { script: WorkloadName; clients: number; target: TargetName; result: MysqlRun };

/** The measured MySQL cells, looked up by workload, clients and target. */
export class Results extends CellResults<WorkloadName, TargetName, MysqlRun> {}

const LABEL: Record<TargetName, string> = { direct: 'direct', strict: 'gh strict', async: 'gh async' };

/** Direct, strict and async with both ratios to direct: the MySQL tables and the PostgreSQL comparison alike. */
export const COLUMNS = {
  targets: TARGETS.map((t) => [t, LABEL[t]] as const),
  ratios: [
    ['strict', 'direct', 'strict/direct'],
    ['async', 'direct', 'async/direct'],
  ],
} as const;

export function workloadRows(results: Results, workload: WorkloadName, clients: readonly number[] = CLIENTS): Record<string, string | number>[] {
  return cellRows(results, workload, clients, COLUMNS);
}

/**
 * The target, per audit mode: at 8 clients, the MySQL gateway's ratio to direct
 * MariaDB (point selects) no worse than the PostgreSQL gateway's ratio to direct PostgreSQL
 * (pgbench -S), both measured in this run on the same gateways.
 */
export function checkTargets(results: Results, pg: PgResults | undefined): TargetCheck[] {
  return (['strict', 'async'] as const).map((mode) => {
    const mysqlRatio = results.ratio('point-select', 8, mode, 'direct');
    const pgRatio = pg?.ratio('select-only', 8, mode, 'direct');
    const shown = (r: number | undefined) => (r === undefined ? 'not measured' : times(r));
    return {
      goal: `${mode}: MySQL ÷ direct MariaDB (point selects) ≥ PostgreSQL ÷ direct PostgreSQL (-S), 8 clients`,
      measured: `${shown(mysqlRatio)} vs ${shown(pgRatio)}`,
      met: mysqlRatio === undefined || pgRatio === undefined ? null : mysqlRatio >= pgRatio,
    };
  });
}

/**
 * What the gateway's ledger must hold after the run: an allowed `db.query` entry and an `ok`
 * outcome for every statement the clients sent (at least: a client may send statements of its
 * own), and exactly the denials the bench provoked.
 */
export function checkLedger(mode: TargetName, tally: LedgerTally, sent: number, denials: number): TargetCheck {
  const n = (v: number) => v.toLocaleString('en-US');
  return {
    goal: `${mode}: the ledger records every statement sent through the gateway (${n(sent)}), and the ${n(denials)} denial${denials === 1 ? '' : 's'} provoked`,
    measured: `${n(tally.allowed)} allowed db.query entries, ${n(tally.outcomes.ok)} ok outcomes, ${n(tally.denied)} denied`,
    met: tally.allowed >= sent && tally.outcomes.ok >= sent && tally.denied === denials && tally.outcomes.error === 0,
  };
}
