import type { Outcome } from '../audit.js';
import type { ResponseOutcome } from './codec/index.js';

/**
 * What the ledger's `db.results` keeps of a MySQL response: one tag per result ("OK 3" for
 * a change of 3 rows, "ROWS 12" for a result set of 12), the rows in all, and the error of the
 * result that failed (a multi-statement stops at its first error).
 */
export function outcomeOf(outcomes: readonly ResponseOutcome[], durationMs: number): Outcome {
  const tags: string[] = [];
  let rows: number | null = null;
  for (const o of outcomes) {
    if (o.kind === 'ok') {
      tags.push(`OK ${o.affectedRows}`);
      rows = (rows ?? 0) + o.affectedRows;
    } else if (o.kind === 'rows') {
      tags.push(`ROWS ${o.rows}`);
      rows = (rows ?? 0) + o.rows;
    } else if (o.kind === 'prepared') tags.push('PREPARED');
    else if (o.kind === 'error') {
      return { status: 'error', tags, rows, durationMs, sqlstate: o.sqlstate, error: `${o.code}: ${o.message}` };
    }
  }
  return { status: 'ok', tags, rows, durationMs };
}
