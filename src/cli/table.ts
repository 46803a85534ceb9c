import { clean } from './client.js';

/**
 * Plain-text output for people: aligned columns and `key: value` blocks. Scripts should use
 * `--json`, which prints what the API returned, unchanged.
 */

/** One cell: null and empty as "-", lists comma-joined, tag maps as k=v, control characters escaped. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? '-' : entries.map(([k, v]) => `${clean(k)}=${cell(v)}`).join(',');
  }
  return clean(String(value)).replaceAll('\n', ' ');
}

/** An RFC 3339 instant shortened for a table: "2026-05-01 12:30Z" (UTC). */
export function when(value: string | null | undefined): string {
  if (!value) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(new Date(value).toISOString());
  return m ? `${m[1]} ${m[2]}Z` : cell(value);
}

/** Aligned columns, two spaces apart, upper-case headers; the last column is not padded. */
export function table(headers: string[], rows: unknown[][]): string {
  const text = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map(cell))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  return text
    .map((r) =>
      r
        .map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `key: value` lines with the values aligned. */
export function fields(pairs: [string, unknown][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(width)} ${cell(v)}`).join('\n');
}

/** Writes a table, or a line saying there is nothing to list. */
export function printTable(what: string, headers: string[], rows: unknown[][]): void {
  process.stdout.write(rows.length === 0 ? `(no ${what})\n` : `${table(headers, rows)}\n`);
}

export function printFields(pairs: [string, unknown][]): void {
  process.stdout.write(`${fields(pairs)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
