import type { PgbenchResult } from './pgbench-output.js';

/** The columns of the pgbench tables, in order. */
export const TARGETS = ['direct', 'pgbouncer', 'strict', 'async'] as const;
export type TargetName = (typeof TARGETS)[number];
export const SCRIPTS = ['select-only', 'tpcb-like'] as const;
export type ScriptName = (typeof SCRIPTS)[number];
export const CLIENTS = [1, 8, 32] as const;

const LABEL: Record<TargetName, string> = { direct: 'direct', pgbouncer: 'pgbouncer', strict: 'gh strict', async: 'gh async' };
export const SCRIPT_TITLE: Record<ScriptName, string> = {
  'select-only': 'pgbench -S (select only)',
  'tpcb-like': 'pgbench (TPC-B-like: 3 updates, 1 select, 1 insert per transaction)',
};

export interface Cell {
  script: ScriptName;
  clients: number;
  target: TargetName;
  result: PgbenchResult;
}

/** The measured cells, looked up by script, clients and target. */
export class Results {
  readonly cells: Cell[] = [];

  add(cell: Cell): void {
    this.cells.push(cell);
  }

  get(script: ScriptName, clients: number, target: TargetName): PgbenchResult | undefined {
    return this.cells.find((c) => c.script === script && c.clients === clients && c.target === target)?.result;
  }

  /** a's TPS over b's; undefined when either was not measured. */
  ratio(script: ScriptName, clients: number, a: TargetName, b: TargetName): number | undefined {
    const x = this.get(script, clients, a);
    const y = this.get(script, clients, b);
    return x && y ? x.tps / y.tps : undefined;
  }
}

const MISSING = '—';
/** Ratios as "0.73×": two digits are all a 10-second run can claim. */
const times = (ratio: number) => `${ratio.toFixed(2)}×`;

/** One row per client count: TPS per target, the four ratios, average latencies. */
export function scriptRows(results: Results, script: ScriptName, clients: readonly number[] = CLIENTS): Record<string, string | number>[] {
  return clients.map((n) => {
    const row: Record<string, string | number> = { clients: n };
    for (const t of TARGETS) {
      const r = results.get(script, n, t);
      row[`${LABEL[t]} tps`] = r ? Math.round(r.tps) : MISSING;
    }
    for (const [a, b] of [['strict', 'direct'], ['strict', 'pgbouncer'], ['async', 'direct'], ['async', 'pgbouncer']] as const) {
      const ratio = results.ratio(script, n, a, b);
      row[`${a}/${b === 'pgbouncer' ? 'pgb' : b}`] = ratio === undefined ? MISSING : times(ratio);
    }
    for (const t of TARGETS) {
      const r = results.get(script, n, t);
      row[`${LABEL[t]} ms`] = r ? r.latencyMs : MISSING;
    }
    return row;
  });
}

/** Average latency through the gateway minus direct, -S at 1 client (ms); undefined if not measured. */
export function addedLatencyMs(results: Results, mode: 'strict' | 'async'): number | undefined {
  const direct = results.get('select-only', 1, 'direct');
  const via = results.get('select-only', 1, mode);
  return direct && via ? via.latencyMs - direct.latencyMs : undefined;
}

export interface IdleRss {
  sessions: number;
  beforeKib: number;
  afterKib: number;
}

/** RSS in MB (10^6 bytes; /proc reports KiB), one decimal. */
export const megabytes = (kib: number) => Math.round((kib * 1024) / 1e5) / 10;

export interface TargetCheck {
  goal: string;
  /** The measured figure as printed, or why there is none. */
  measured: string;
  /** Null: not measured (a column was skipped). */
  met: boolean | null;
}

/** The targets (8 clients, -S, against PgBouncer; RSS at 1,000 idle sessions). */
export function checkTargets(results: Results, rss: IdleRss | undefined): TargetCheck[] {
  const ratioCheck = (mode: 'strict' | 'async', floor: number): TargetCheck => {
    const ratio = results.ratio('select-only', 8, mode, 'pgbouncer');
    return {
      goal: `${mode} ≥ ${floor} × PgBouncer (-S, 8 clients)`,
      measured: ratio === undefined ? 'not measured' : `${times(ratio)} PgBouncer`,
      met: ratio === undefined ? null : ratio >= floor,
    };
  };
  const rssLimitMb = 200;
  return [
    ratioCheck('async', 0.75),
    ratioCheck('strict', 0.5),
    {
      goal: `gateway RSS < ${rssLimitMb} MB with 1,000 idle sessions`,
      measured: rss ? `${megabytes(rss.afterKib)} MB with ${rss.sessions.toLocaleString('en-US')}` : 'not measured',
      met: rss ? rss.afterKib * 1024 < rssLimitMb * 1e6 && rss.sessions >= 1000 : null,
    },
  ];
}

export const mark = (met: boolean | null) => (met === null ? '–' : met ? '✓' : '✗');
