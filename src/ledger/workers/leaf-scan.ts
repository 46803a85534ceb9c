import { leafHashInto, perfectRootInto } from '../merkle/index.js';
import { STRATUM } from '../tree-store.js';
import { REDACT_ACTION } from '../redact.js';

/**
 * The per-entry CPU work of verification, on a packed page (run in a worker or inline):
 * each entry's RFC 9162 leaf hash, and whether it may carry a payload commitment or be a
 * redaction (then verify parses it). Canonical JSON escapes quotes inside strings, so these
 * byte patterns only occur as keys; entries without them are never parsed.
 */
export interface PackedPage {
  /** The index of the first entry; the others are taken to follow it without a gap (verify checks). */
  first: number;
  /** The entries back to back. */
  data: Uint8Array;
  /** ends[i] = the offset just past entry i in data. */
  ends: Uint32Array;
}

export interface ScannedPage {
  /** 32 bytes per entry: its leaf hash. */
  hashes: Uint8Array;
  /** Per entry: HAS_COMMITMENT | IS_REDACTION. */
  flags: Uint8Array;
  /**
   * 32 bytes per aligned block of BLOCK entries: its subtree hash. Block j starts at entry
   * firstBlock + j·BLOCK of the page, whose index is a multiple of BLOCK. Rebuilding the
   * tree from these costs the main thread one hash per block instead of one per entry.
   */
  blocks: Uint8Array;
  firstBlock: number;
}

/** Leaves per block: the lowest stored level, so each block is also a stored node verify checks. */
export const BLOCK_LEVEL = STRATUM;
const BLOCK = 2 ** BLOCK_LEVEL;

export const HAS_COMMITMENT = 1;
export const IS_REDACTION = 2;

const COMMITMENT_KEY = Buffer.from('"payload_commitment":"');
const REDACTION_MARK = Buffer.from(`"action":"${REDACT_ACTION}"`);
/** In both patterns: an entry without it needs no closer look. */
const PAYLOAD = Buffer.from('payload');

/** Packs entries into memory of its own (not Buffer's shared pool), so it can be transferred to a worker. */
export function packPage(first: number, entries: readonly Uint8Array[]): PackedPage {
  const ends = new Uint32Array(entries.length);
  let end = 0;
  for (let i = 0; i < entries.length; i++) ends[i] = end += entries[i]!.length;
  const data = Buffer.allocUnsafeSlow(end);
  for (let i = 0; i < entries.length; i++) data.set(entries[i]!, i === 0 ? 0 : ends[i - 1]);
  return { first, data, ends };
}

/** Inline: the same work as in a worker, on the entries packed the same way. */
export function scanEntries(first: number, entries: readonly Uint8Array[]): ScannedPage {
  return scanPage(packPage(first, entries));
}

/**
 * In a worker, or inline: every hash is written straight into the page's output (a Buffer per
 * hash cost more than the hash), and the page is searched for "payload" once, not entry by entry.
 */
export function scanPage({ first, data, ends }: PackedPage): ScannedPage {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const count = ends.length;
  // Not from Buffer's shared pool: a worker transfers this memory back to the main thread.
  const hashes = Buffer.allocUnsafeSlow(count * 32);
  for (let i = 0; i < count; i++) leafHashInto(bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i]), hashes, i * 32);
  const flags = new Uint8Array(count);
  // Each hit of "payload" flags the entry it lies in (ends are ascending: a running cursor finds it).
  let entry = 0;
  for (let at = bytes.indexOf(PAYLOAD); at !== -1; at = bytes.indexOf(PAYLOAD, at + 1)) {
    while (ends[entry]! < at + PAYLOAD.length) entry++;
    const start = entry === 0 ? 0 : ends[entry - 1]!;
    if (at < start) continue; // a pattern across two entries' bytes is in neither
    const text = bytes.subarray(start, ends[entry]);
    flags[entry] = (text.includes(COMMITMENT_KEY) ? HAS_COMMITMENT : 0) | (text.includes(REDACTION_MARK) ? IS_REDACTION : 0);
    at = ends[entry]! - 1; // the next hit is in a later entry
  }
  const firstBlock = (BLOCK - (first % BLOCK)) % BLOCK;
  const blockCount = Math.max(0, Math.floor((count - firstBlock) / BLOCK));
  const blocks = Buffer.allocUnsafeSlow(blockCount * 32);
  for (let j = 0; j < blockCount; j++) perfectRootInto(hashes, (firstBlock + j * BLOCK) * 32, BLOCK, blocks, j * 32);
  return { hashes, flags, blocks, firstBlock };
}
