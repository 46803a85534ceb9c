import { leafHash } from '../merkle/index.js';
import { REDACT_ACTION } from '../redact.js';

/**
 * The per-entry CPU work of verification, on a packed page (run in a worker or inline):
 * each entry's RFC 9162 leaf hash, and whether it may carry a payload commitment or be a
 * redaction (then verify parses it). Canonical JSON escapes quotes inside strings, so these
 * byte patterns only occur as keys; entries without them are never parsed.
 */
export interface PackedPage {
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
}

export const HAS_COMMITMENT = 1;
export const IS_REDACTION = 2;

const COMMITMENT_KEY = Buffer.from('"payload_commitment":"');
const REDACTION_MARK = Buffer.from(`"action":"${REDACT_ACTION}"`);
/** In both patterns: an entry without it needs no closer look. */
const PAYLOAD = Buffer.from('payload');

/** Packs entries into memory of its own (not Buffer's shared pool), so it can be transferred to a worker. */
export function packPage(entries: readonly Uint8Array[]): PackedPage {
  const ends = new Uint32Array(entries.length);
  let end = 0;
  for (let i = 0; i < entries.length; i++) ends[i] = end += entries[i]!.length;
  const data = Buffer.allocUnsafeSlow(end);
  for (let i = 0; i < entries.length; i++) data.set(entries[i]!, i === 0 ? 0 : ends[i - 1]);
  return { data, ends };
}

/** In a worker: the page as it arrived. */
export function scanPage({ data, ends }: PackedPage): ScannedPage {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const entries = Array.from(ends, (end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
  return scanEntries(entries);
}

/** Inline: the same work without packing. */
export function scanEntries(entries: readonly Buffer[]): ScannedPage {
  // Not from Buffer's shared pool: a worker transfers this memory back to the main thread.
  const hashes = Buffer.allocUnsafeSlow(entries.length * 32);
  const flags = new Uint8Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    leafHash(entry).copy(hashes, i * 32);
    if (entry.includes(PAYLOAD)) {
      flags[i] = (entry.includes(COMMITMENT_KEY) ? HAS_COMMITMENT : 0) | (entry.includes(REDACTION_MARK) ? IS_REDACTION : 0);
    }
  }
  return { hashes, flags };
}
