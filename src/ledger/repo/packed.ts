import type { EntryRow } from './types.js';

/**
 * Verify reads every entry, and better-sqlite3 costs ~5 µs a row to hand out two Buffers per
 * row, more than the read itself. So SQLite concatenates a page of entries in SQL into one
 * blob (~1.4 µs a row): per row a 32-character hex header (index: 16 digits, leaf hash length:
 * 8, entry length: 8), the leaf hash and the entry. The header carries each row's own index
 * and lengths, so nothing is assumed of the stored values (a gap, or a tampered hash of
 * another length, shows as it is). SQLite does not promise to aggregate in the subquery's
 * order (it does today): rows are sorted after unpacking if ever they are not, which is
 * cheaper than ORDER BY in the aggregate (a sorter).
 * (PostgreSQL's driver gained nothing from the same trick: it spends its time decoding the
 * hex text of a bytea either way.)
 */
export const HEADER = 32;

/** The number written in `digits` lower-case hex digits at `at`: a tenth of the cost of toString + parseInt. */
function hexAt(page: Buffer, at: number, digits: number): number {
  let n = 0;
  for (let i = at; i < at + digits; i++) {
    const c = page[i]!;
    n = n * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return n;
}

/** The rows of a packed page, in index order. */
export function unpackEntries(page: Buffer | null): EntryRow[] {
  const rows: EntryRow[] = [];
  if (!page) return rows; // no rows: the aggregate is NULL
  let ordered = true;
  for (let at = 0; at < page.length; ) {
    const index = hexAt(page, at, 16);
    const hashLength = hexAt(page, at + 16, 8);
    const entryLength = hexAt(page, at + 24, 8);
    const leafHash = page.subarray((at += HEADER), (at += hashLength));
    if (rows.length > 0 && rows[rows.length - 1]!.index > index) ordered = false;
    rows.push({ index, leafHash, entry: page.subarray(at, (at += entryLength)) });
  }
  return ordered ? rows : rows.sort((a, b) => a.index - b.index);
}

