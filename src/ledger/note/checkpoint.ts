/**
 * Transparency log checkpoints: c2sp.org/tlog-checkpoint.
 *
 * A checkpoint is a signed note whose text is exactly (§Note text):
 *
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[<extension line>\n]...
 *
 * We parse strictly: every checkpoint has exactly one text, so
 * formatCheckpoint(parseCheckpoint(t)) === t for every accepted t. Two texts for one tree
 * head would let a log (or an attacker) present "different" checkpoints that are the same.
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { NoteError } from './errors.js';
import type { Signer, Verifier } from './keys.js';
import { openNote, signNote, type OpenedNote } from './note.js';
import { checkNoteCharacters } from './text.js';

export interface Checkpoint {
  /** Unique identity of the log (§Note text item 1); any non-empty line. */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** RFC 6962 Merkle tree root at `size`: 32 bytes (SHA-256). */
  rootHash: Buffer;
  /** Opaque extra lines (§Note text item 4), each non-empty. */
  extensions: string[];
}

const ROOT_HASH_BYTES = 32;

/**
 * The spec allows any uint64 tree size, but `size` is a JS number, exact only up to
 * 2^53 - 1. We refuse larger sizes rather than round them: a rounded size would check
 * proofs against the wrong tree. No Gatehouse ledger gets near 9 quadrillion entries.
 */
export const MAX_CHECKPOINT_SIZE = Number.MAX_SAFE_INTEGER;

/** The checkpoint's note text. Throws NoteError('malformed') for a checkpoint it cannot encode. */
export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin === '') throw new NoteError('malformed', 'checkpoint: origin is empty');
  if (cp.origin.includes('\n')) throw new NoteError('malformed', 'checkpoint: origin contains a newline');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new NoteError('malformed', `checkpoint: size ${cp.size} is not an integer between 0 and 2^53-1`);
  }
  if (cp.rootHash.length !== ROOT_HASH_BYTES) {
    throw new NoteError('malformed', `checkpoint: root hash is ${cp.rootHash.length} bytes, want ${ROOT_HASH_BYTES}`);
  }
  cp.extensions.forEach((line, i) => {
    if (line === '' || line.includes('\n')) {
      throw new NoteError('malformed', `checkpoint: extension line ${i + 1} is empty or contains a newline`);
    }
  });
  const text = [cp.origin, String(cp.size), encodeBase64(cp.rootHash), ...cp.extensions].join('\n') + '\n';
  // Control characters etc. would make the note unsignable (signed-note §Format).
  checkNoteCharacters(text, 'checkpoint');
  return text;
}

/** Parses a checkpoint note text (as returned in OpenedNote.text). */
export function parseCheckpoint(text: string): Checkpoint {
  checkNoteCharacters(text, 'checkpoint');
  if (!text.endsWith('\n')) throw new NoteError('malformed', 'checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  // §Note text: "at least three non-empty lines".
  if (lines.length < 3) {
    throw new NoteError(
      'malformed',
      `checkpoint has ${lines.length} line${lines.length === 1 ? '' : 's'}; it needs an origin, a size and a root hash`,
    );
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw new NoteError('malformed', 'checkpoint line 1: origin is empty');
  const size = parseSize(sizeText);
  const rootHash = parseRootHash(rootText);
  // §Note text item 4: extension lines, if any, MUST be non-empty.
  extensions.forEach((line, i) => {
    if (line === '') throw new NoteError('malformed', `checkpoint line ${i + 4}: extension line is empty`);
  });
  const checkpoint = { origin, size, rootHash, extensions };
  // Guaranteed by the checks above; kept as a tripwire should they ever loosen.
  if (formatCheckpoint(checkpoint) !== text) {
    throw new NoteError('malformed', 'checkpoint does not re-encode to the same text');
  }
  return checkpoint;
}

/** Signs a checkpoint. (§Signatures: the key name SHOULD match the origin; callers pick the key.) */
export function signCheckpoint(cp: Checkpoint, signer: Signer): string {
  return signNote(formatCheckpoint(cp), [signer]);
}

/**
 * Opens a signed checkpoint: verifies the note (see openNote), then parses its text.
 * If `expectedOrigin` is given, a checkpoint of any other log is refused ('malformed').
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly Verifier[],
  expectedOrigin?: string,
): { checkpoint: Checkpoint; note: OpenedNote } {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new NoteError(
      'malformed',
      `checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(expectedOrigin)}`,
    );
  }
  return { checkpoint, note: opened };
}

function parseSize(text: string): number {
  // §Note text item 2: ASCII decimal, no leading zeroes unless the size is 0.
  if (!/^[0-9]+$/.test(text)) {
    throw new NoteError('malformed', `checkpoint line 2: size ${JSON.stringify(text)} is not a decimal number`);
  }
  if (text.length > 1 && text.startsWith('0')) {
    throw new NoteError('malformed', `checkpoint line 2: size ${JSON.stringify(text)} has leading zeros`);
  }
  if (BigInt(text) > BigInt(MAX_CHECKPOINT_SIZE)) {
    throw new NoteError('malformed', `checkpoint line 2: size ${text} is larger than 2^53-1, the largest size we accept`);
  }
  return Number(text);
}

function parseRootHash(text: string): Buffer {
  // §Note text item 3; standard base64 per the spec's conventions, canonical per base64.ts.
  const decoded = decodeBase64(text);
  if (!decoded.ok) throw new NoteError('malformed', `checkpoint line 3: root hash ${decoded.reason}`);
  if (decoded.bytes.length !== ROOT_HASH_BYTES) {
    throw new NoteError(
      'malformed',
      `checkpoint line 3: root hash is ${decoded.bytes.length} bytes, want ${ROOT_HASH_BYTES} (SHA-256)`,
    );
  }
  return Buffer.from(decoded.bytes);
}
