// Statement text from libpg_query's offsets, which count UTF-8 bytes, not UTF-16 units.
import type { RawStatement } from './parser.js';

/** The text of each statement, trimmed; the last one runs to the end (stmt_len 0 or absent). */
export function statementTexts(text: string, stmts: readonly RawStatement[]): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return stmts.map((s) => {
    const start = s.stmt_location ?? 0;
    const end = s.stmt_len ? start + s.stmt_len : bytes.length;
    return bytes.subarray(start, end).toString('utf8').trim();
  });
}
