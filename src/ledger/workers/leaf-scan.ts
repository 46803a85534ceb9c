import { leafHashInto, perfectRootInto } from '../merkle/index.js';
import { STRATUM } from '../tree-store.js';
import { REDACT_ACTION } from '../redact.js';
import { layoutOf } from '../repo/packed.js';

/**
 * The per-entry CPU work of verification, on a packed page of entries (repo/packed.ts), run
 * in a worker or inline: each entry's RFC 9162 leaf hash, compared with the leaf hash the
 * source keeps beside it; the hash of each aligned block; and what an entry that may carry a
 * payload commitment or be a redaction says (it is parsed only then). Canonical JSON escapes
 * quotes inside strings, so the byte patterns searched for only occur as keys; entries without
 * them are never parsed. The main thread is left with the tree and the problems to report.
 */
export interface ScannedPage {
  count: number;
  /** Each row's index, ascending. */
  indices: Float64Array;
  /** Whether the indices run on from the first with no gap (blocks are only hashed then). */
  contiguous: boolean;
  /** 32 bytes per entry: its leaf hash. */
  hashes: Uint8Array;
  /** Per entry: ENTRY_CHANGED | NOT_JSON | HAS_DETAILS. */
  flags: Uint8Array;
  /** By row, for rows flagged HAS_DETAILS: what a commitment or redaction entry says. */
  details: Map<number, EntryDetails>;
  /**
   * 32 bytes per aligned block of BLOCK entries: its subtree hash. Block j starts at entry
   * firstBlock + j·BLOCK of the page, whose index is a multiple of BLOCK. Rebuilding the
   * tree from these costs the main thread one hash per block instead of one per entry.
   */
  blocks: Uint8Array;
  firstBlock: number;
}

export interface EntryDetails {
  /** Its payload_commitment. */
  commitment?: string;
  /** The index of the entry whose payload it redacts. */
  redacts?: number;
}

/** Leaves per block: the lowest stored level, so each block is also a stored node verify checks. */
export const BLOCK_LEVEL = STRATUM;
const BLOCK = 2 ** BLOCK_LEVEL;

/** The entry's bytes do not hash to the leaf hash stored beside it. */
export const ENTRY_CHANGED = 1;
/** The entry looked like a commitment or redaction but is not JSON. */
export const NOT_JSON = 2;
export const HAS_DETAILS = 4;

const COMMITMENT_KEY = Buffer.from('"payload_commitment":"');
const REDACTION_MARK = Buffer.from(`"action":"${REDACT_ACTION}"`);
/** In both patterns: an entry without it needs no closer look. */
const PAYLOAD = Buffer.from('payload');

/** Every hash is written straight into the page's output: a Buffer per hash cost more than the hash. */
export function scanPage(packed: Uint8Array): ScannedPage {
  const { page, count, indices, hashAt, hashLength, entryAt, entryEnd } = layoutOf(packed);
  // Not from Buffer's shared pool: a worker transfers this memory back to the main thread.
  const hashes = Buffer.allocUnsafeSlow(count * 32);
  const flags = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    leafHashInto(page.subarray(entryAt[i], entryEnd[i]), hashes, i * 32);
    const kept = hashLength[i]!;
    if (kept !== -1 && (kept !== 32 || page.compare(hashes, i * 32, i * 32 + 32, hashAt[i], hashAt[i]! + 32) !== 0)) {
      flags[i] = ENTRY_CHANGED;
    }
  }
  const details = new Map<number, EntryDetails>();
  // Each hit of "payload" flags the entry it lies in (entries are ascending: a running cursor finds it).
  let row = 0;
  for (let at = page.indexOf(PAYLOAD); at !== -1 && row < count; at = page.indexOf(PAYLOAD, at + 1)) {
    while (row < count && entryEnd[row]! < at + PAYLOAD.length) row++;
    if (row === count || at < entryAt[row]!) continue; // in a header or hash, or across two rows: in no entry
    const text = page.subarray(entryAt[row], entryEnd[row]);
    if (text.includes(COMMITMENT_KEY) || text.includes(REDACTION_MARK)) {
      const found = readDetails(text);
      if (found === undefined) flags[row]! |= NOT_JSON;
      else if (found.commitment !== undefined || found.redacts !== undefined) {
        flags[row]! |= HAS_DETAILS;
        details.set(row, found);
      }
    }
    at = entryEnd[row]! - 1; // the next hit is in a later entry
  }
  let contiguous = true;
  for (let i = 1; i < count && contiguous; i++) contiguous = indices[i] === indices[0]! + i;
  const firstBlock = count === 0 ? 0 : (BLOCK - (indices[0]! % BLOCK)) % BLOCK;
  const blockCount = contiguous ? Math.max(0, Math.floor((count - firstBlock) / BLOCK)) : 0;
  const blocks = Buffer.allocUnsafeSlow(blockCount * 32);
  for (let j = 0; j < blockCount; j++) perfectRootInto(hashes, (firstBlock + j * BLOCK) * 32, BLOCK, blocks, j * 32);
  return { count, indices, contiguous, hashes, flags, details, blocks, firstBlock };
}

/** What verify needs of a commitment or redaction entry; undefined when it is not JSON. */
function readDetails(entry: Buffer): EntryDetails | undefined {
  let event: { action?: unknown; payload_commitment?: unknown; target?: { ledger_entry?: unknown } };
  try {
    event = JSON.parse(entry.toString('utf8'));
  } catch {
    return undefined;
  }
  const details: EntryDetails = {};
  if (typeof event !== 'object' || event === null) return details;
  if (typeof event.payload_commitment === 'string') details.commitment = event.payload_commitment;
  if (event.action === REDACT_ACTION && typeof event.target?.ledger_entry === 'number') {
    details.redacts = event.target.ledger_entry;
  }
  return details;
}
