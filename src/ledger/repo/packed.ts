import type { EntryRow } from './types.js';

/**
 * Verify reads every entry, and better-sqlite3 costs ~5 µs a row to hand out two Buffers per
 * row, more than the read itself. So SQLite concatenates a page of entries in SQL into one
 * blob (~1 µs a row): per row a 32-character hex header (index: 16 digits, leaf hash length:
 * 8, entry length: 8), the leaf hash and the entry. The header carries each row's own index
 * and lengths, so nothing is assumed of the stored values (a gap, or a tampered hash of
 * another length, shows as it is). SQLite does not promise to aggregate in the subquery's
 * order (it does today): rows are put in order when a page is read if ever they are not,
 * which is cheaper than ORDER BY in the aggregate (a sorter).
 * Verify hands the page to a worker thread as it is (one transfer, no copy); other sources
 * (PostgreSQL, a bundle) pack their rows the same way (packRows), so verify has one input.
 */
export const HEADER = 32;

/** The leaf-hash length a packed row gives when its source keeps no leaf hash (a bundle). */
export const NO_HASH = 0xffffffff;

/** A page of entries packed as above, with what paging on needs without reading the rows. */
export interface EntryPage {
  count: number;
  /** The index of the last row (−1 when there is none). */
  last: number;
  packed: Uint8Array;
}

/** Where each row of a packed page lies, rows in index order. */
export interface PackedLayout {
  /** The page itself, or (rarely) a copy with its rows put in index order. */
  page: Buffer;
  count: number;
  indices: Float64Array;
  hashAt: Uint32Array;
  /** The stored leaf hash's length, −1 when the source keeps none. */
  hashLength: Int32Array;
  entryAt: Uint32Array;
  entryEnd: Uint32Array;
}

/** The number written in `digits` lower-case hex digits at `at`: a tenth of the cost of toString + parseInt. */
function hexAt(page: Uint8Array, at: number, digits: number): number {
  let n = 0;
  for (let i = at; i < at + digits; i++) {
    const c = page[i]!;
    n = n * 16 + (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return n;
}

function rowCount(page: Uint8Array): number {
  let count = 0;
  for (let at = 0; at < page.length; count++) {
    const hashLength = hexAt(page, at + 16, 8);
    at += HEADER + (hashLength === NO_HASH ? 0 : hashLength) + hexAt(page, at + 24, 8);
  }
  return count;
}

/** Reads the headers of a packed page (null: no rows). */
export function layoutOf(packed: Uint8Array | null): PackedLayout {
  const page = packed ? Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength) : Buffer.alloc(0);
  const count = rowCount(page);
  const layout: PackedLayout = {
    page,
    count,
    indices: new Float64Array(count),
    hashAt: new Uint32Array(count),
    hashLength: new Int32Array(count),
    entryAt: new Uint32Array(count),
    entryEnd: new Uint32Array(count),
  };
  let ordered = true;
  for (let i = 0, at = 0; i < count; i++) {
    const index = hexAt(page, at, 16);
    const hashLength = hexAt(page, at + 16, 8);
    const entryLength = hexAt(page, at + 24, 8);
    if (i > 0 && layout.indices[i - 1]! > index) ordered = false;
    layout.indices[i] = index;
    layout.hashAt[i] = at += HEADER;
    layout.hashLength[i] = hashLength === NO_HASH ? -1 : hashLength;
    layout.entryAt[i] = at += hashLength === NO_HASH ? 0 : hashLength;
    layout.entryEnd[i] = at += entryLength;
  }
  return ordered ? layout : layoutOf(inIndexOrder(layout));
}

/** The page's rows re-packed in index order (a stable sort: equal indexes keep their order). */
function inIndexOrder({ page, count, indices, hashAt, entryEnd }: PackedLayout): Buffer {
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => indices[a]! - indices[b]!);
  return Buffer.concat(order.map((i) => page.subarray(hashAt[i]! - HEADER, entryEnd[i])));
}

/** The rows of a packed page, in index order. */
export function unpackEntries(packed: Uint8Array | null): EntryRow[] {
  const { page, count, indices, hashAt, hashLength, entryAt, entryEnd } = layoutOf(packed);
  const rows: EntryRow[] = new Array(count);
  for (let i = 0; i < count; i++) {
    rows[i] = {
      index: indices[i]!,
      leafHash: page.subarray(hashAt[i], hashAt[i]! + Math.max(0, hashLength[i]!)),
      entry: page.subarray(entryAt[i], entryEnd[i]),
    };
  }
  return rows;
}

function writeHex(page: Buffer, at: number, n: number, digits: number): void {
  page.write(n.toString(16).padStart(digits, '0'), at, 'latin1');
}

/**
 * Rows packed as SQLite packs them, in memory of the page's own (not Buffer's shared pool),
 * so it can be transferred to a worker. A row without a leaf hash gets NO_HASH.
 */
export function packRows(rows: readonly { index: number; entry: Uint8Array; leafHash?: Uint8Array }[]): EntryPage {
  let size = 0;
  for (const row of rows) size += HEADER + (row.leafHash?.length ?? 0) + row.entry.length;
  const page = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const { index, entry, leafHash } of rows) {
    writeHex(page, at, index, 16);
    writeHex(page, at + 16, leafHash ? leafHash.length : NO_HASH, 8);
    writeHex(page, at + 24, entry.length, 8);
    at += HEADER;
    if (leafHash) {
      page.set(leafHash, at);
      at += leafHash.length;
    }
    page.set(entry, at);
    at += entry.length;
  }
  return { count: rows.length, last: rows.at(-1)?.index ?? -1, packed: page };
}
