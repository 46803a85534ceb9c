/** A cell that stands for a number: a figure already formatted (e.g. a ratio "0.73×"), or "—" for one not measured. */
const NUMBER_LIKE = /^(?:—|[+-]?\d[\d,]*(?:\.\d+)?×?)$/;

/** Prints rows as an aligned text table (numbers, and columns of number-like strings, right-aligned). */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? format(v) : (v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[], numeric: boolean[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === 'number' || NUMBER_LIKE.test(String(r[c]))));
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${line(columns, numeric)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => cell(r[c])), numeric)}\n`);
}

function format(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n < 10 ? n.toFixed(3) : n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
