/** What every client-load run reports, whatever tool measured it. */
export interface Measured {
  /** Transactions per second. */
  tps: number;
  /** Average latency of a transaction, in milliseconds. */
  latencyMs: number;
}

/** One measured cell: a script (workload) at a client count against one target. */
export interface Cell<S extends string, T extends string, R extends Measured> {
  script: S;
  clients: number;
  target: T;
  result: R;
}

/** The measured cells of a suite, looked up by script, clients and target. */
export class Results<S extends string, T extends string, R extends Measured> {
  readonly cells: Cell<S, T, R>[] = [];

  add(cell: Cell<S, T, R>): void {
    this.cells.push(cell);
  }

  get(script: S, clients: number, target: T): R | undefined {
    return this.cells.find((c) => c.script === script && c.clients === clients && c.target === target)?.result;
  }

  /** a's TPS over b's; undefined when either was not measured. */
  ratio(script: S, clients: number, a: T, b: T): number | undefined {
    const x = this.get(script, clients, a);
    const y = this.get(script, clients, b);
    return x && y ? x.tps / y.tps : undefined;
  }
}

/** A cell that was not measured (its column was skipped). */
export const MISSING = '—';

/** Ratios as "0.73×": two digits are all a 10-second run can claim. */
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;

export interface RowColumns<T extends string> {
  /** The targets in column order, each with its label ("gh strict" → "gh strict tps", "gh strict ms"). */
  targets: readonly (readonly [T, string])[];
  /** Ratios of a's TPS over b's, each with its column's name. */
  ratios: readonly (readonly [T, T, string])[];
}

/** One row per client count: TPS per target, the ratios, then average latencies; "—" where not measured. */
export function cellRows<S extends string, T extends string, R extends Measured>(
  results: Results<S, T, R>,
  script: S,
  clients: readonly number[],
  columns: RowColumns<T>,
): Record<string, string | number>[] {
  return clients.map((n) => {
    const row: Record<string, string | number> = { clients: n };
    for (const [t, label] of columns.targets) {
      const r = results.get(script, n, t);
      row[`${label} tps`] = r ? Math.round(r.tps) : MISSING;
    }
    for (const [a, b, name] of columns.ratios) {
      const ratio = results.ratio(script, n, a, b);
      row[name] = ratio === undefined ? MISSING : times(ratio);
    }
    for (const [t, label] of columns.targets) {
      const r = results.get(script, n, t);
      row[`${label} ms`] = r ? r.latencyMs : MISSING;
    }
    return row;
  });
}

export interface TargetCheck {
  goal: string;
  /** The measured figure as printed, or why there is none. */
  measured: string;
  /** Null: not measured (a column was skipped). */
  met: boolean | null;
}

export const mark = (met: boolean | null) => (met === null ? '–' : met ? '✓' : '✗');

/** Prints the "Targets" block: one line per target, ✓, ✗ or – (not measured). */
export function printTargets(checks: readonly TargetCheck[]): void {
  process.stdout.write('\nTargets\n');
  for (const c of checks) process.stdout.write(`  ${mark(c.met)} ${c.goal}: ${c.measured}\n`);
}
