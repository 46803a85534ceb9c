import { BenchOutputError, tail } from './errors.js';

/** What one pgbench run measured (the summary pgbench prints at the end of a run). */
export interface PgbenchResult {
  clients: number;
  /** "number of transactions actually processed". */
  transactions: number;
  /** "number of failed transactions" (PostgreSQL 15+; 0 when an older pgbench does not print it). */
  failed: number;
  /** Transactions per second without the time spent opening connections. */
  tps: number;
  /** "latency average", in milliseconds. */
  latencyMs: number;
}

/**
 * The tps line: PostgreSQL 14+ prints one, "tps = N (without initial connection time)";
 * 13 and older print two, "(including connections establishing)" and "(excluding
 * connections establishing)". We want the figure without connection set-up in both cases,
 * since that is what pooling and gateway logins would otherwise distort.
 */
const TPS = /^tps = (\d+(?:\.\d+)?) \((?:without initial connection time|excluding connections establishing)\)\s*$/m;
const LATENCY = /^latency average = (\d+(?:\.\d+)?) ms\s*$/m;
/** With -t the line reads "N/M" (processed of planned); with -T just "N". */
const PROCESSED = /^number of transactions actually processed: (\d+)(?:\/\d+)?\s*$/m;
const FAILED = /^number of failed transactions: (\d+)/m;
const CLIENTS = /^number of clients: (\d+)\s*$/m;

/**
 * Parses pgbench's end-of-run summary (its stdout). Throws BenchOutputError, quoting the
 * output, when a figure we report is missing or not a finite number: a changed output format
 * must stop the bench, not turn into a zero in a table.
 */
export function parsePgbenchOutput(stdout: string): PgbenchResult {
  const text = stdout.replace(/\r\n/g, '\n');
  const need = (re: RegExp, what: string): number => {
    const m = re.exec(text);
    const value = m ? Number(m[1]) : NaN;
    if (!Number.isFinite(value)) {
      throw new BenchOutputError(`pgbench output has no ${what} line; it printed:\n${tail(text) || '(nothing)'}`);
    }
    return value;
  };
  const failed = FAILED.exec(text);
  return {
    clients: need(CLIENTS, '"number of clients: N"'),
    transactions: need(PROCESSED, '"number of transactions actually processed: N"'),
    failed: failed ? Number(failed[1]) : 0,
    tps: need(TPS, '"tps = N (without initial connection time)"'),
    latencyMs: need(LATENCY, '"latency average = N ms"'),
  };
}
