/**
 * Signed notes: c2sp.org/signed-note.
 *
 * A signed note is the text (ending in a newline), a blank line, then one or more lines
 * "— <key name> <base64(4-byte key id || signature)>\n" (§Format, §Signatures). The
 * signature covers the text's UTF-8 bytes including its final newline, but not the
 * blank line.
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { NoteError } from './errors.js';
import type { Signer, Verifier } from './keys.js';
import { checkNoteCharacters, decodeUtf8, keyNameProblem } from './text.js';

/**
 * Most signature lines we read (or write). §Format: verifiers SHOULD limit the number
 * of signatures and MUST accept at least 16; 100 is the limit of the Go reference
 * (golang.org/x/mod/sumdb/note Open). It bounds the work a hostile note can cause.
 */
export const MAX_SIGNATURES = 100;

/** Em dash (U+2014) and space that start every signature line (§Format). */
const SIGNATURE_PREFIX = '\u2014 ';
const KEY_ID_BYTES = 4;
const ED25519_SIGNATURE_BYTES = 64;

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  /** The signature bytes, without the key id. */
  signature: Buffer;
  /** True only if a known verifier (name AND key id) checked it. */
  verified: boolean;
}

export interface OpenedNote {
  /** The signed text, ending in "\n" (without the blank separator line). */
  text: string;
  /** Every signature line, in note order; unknown keys stay here with verified=false. */
  signatures: NoteSignature[];
  /** The distinct verifiers whose signatures verified, in note order. */
  verifiedBy: Verifier[];
}

/** Signs `text` with every signer, in order, and returns the signed note. */
export function signNote(text: string, signers: readonly Signer[]): string {
  checkText(text);
  if (signers.length === 0) throw new NoteError('malformed', 'a signed note needs at least one signer');
  if (signers.length > MAX_SIGNATURES) {
    throw new NoteError('malformed', `${signers.length} signers; a note carries at most ${MAX_SIGNATURES} signatures`);
  }
  const message = Buffer.from(text, 'utf8');
  let note = `${text}\n`;
  for (const signer of signers) {
    const problem = keyNameProblem(signer.name);
    if (problem) throw new NoteError('bad_key', `signer key name ${JSON.stringify(signer.name)} ${problem}`);
    if (signer.keyId.length !== KEY_ID_BYTES) {
      throw new NoteError('bad_key', `signer ${signer.name}: key id is ${signer.keyId.length} bytes, want ${KEY_ID_BYTES}`);
    }
    const signature = signer.sign(message);
    // We only speak Ed25519; a signer returning something else is a bug worth stopping at.
    if (signature.length !== ED25519_SIGNATURE_BYTES) {
      throw new NoteError(
        'bad_key',
        `signer ${label(signer.name, signer.keyId)} returned a ${signature.length}-byte signature; Ed25519 signatures are ${ED25519_SIGNATURE_BYTES} bytes`,
      );
    }
    note += `${SIGNATURE_PREFIX}${signer.name} ${encodeBase64(Buffer.concat([signer.keyId, signature]))}\n`;
  }
  return note;
}

/**
 * Parses a signed note and checks its signatures against `verifiers`.
 *
 * Accepts the note as a string or as its raw bytes; prefer bytes when the note comes
 * from a file or the network, so invalid UTF-8 is refused instead of being replaced
 * by U+FFFD during decoding.
 *
 * Unlike the Go reference, which skips repeated signatures by one key, we verify every
 * signature by a known key: §Signatures says verifiers MUST verify those.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly Verifier[]): OpenedNote {
  const { text, lines, firstLine } = splitNote(typeof note === 'string' ? note : decodeUtf8(note, 'note'));
  // Parse every line before checking any signature, so syntax errors win over crypto.
  const parsed = lines.map((line, i) => parseSignatureLine(line, firstLine + i));
  const message = Buffer.from(text, 'utf8');
  const signatures: NoteSignature[] = [];
  const verifiedBy: Verifier[] = [];
  for (const sig of parsed) {
    // §Signatures: a signature is by a known key only if name AND key id match; one
    // that shares just one of them MUST be ignored (e.g. a rotated-out key).
    const known = verifiers.filter((v) => v.name === sig.name && v.keyId.equals(sig.keyId));
    const verifier = known[0];
    if (verifier === undefined) {
      signatures.push({ ...sig.signature, verified: false });
      continue;
    }
    if (known.some((v) => !v.publicKey.equals(verifier.publicKey))) {
      throw new NoteError(
        'bad_key',
        `the verifier list holds two different keys named ${label(sig.name, sig.keyId)}; remove the wrong one`,
      );
    }
    // §Signatures: if a signature from a known key fails, clients SHOULD reject the
    // whole note. We do: a known key signing wrongly means tampering or a broken log.
    if (!verifier.verify(message, sig.signature.signature)) {
      throw new NoteError('bad_signature', `note line ${sig.line}: signature by ${label(sig.name, sig.keyId)} does not verify`);
    }
    signatures.push({ ...sig.signature, verified: true });
    if (!verifiedBy.includes(verifier)) verifiedBy.push(verifier);
  }
  if (verifiedBy.length === 0) {
    const signedBy = signatures.map((s) => label(s.name, s.keyId)).join(', ');
    const knownKeys = verifiers.map((v) => label(v.name, v.keyId)).join(', ') || 'none';
    throw new NoteError(
      'no_verified_signature',
      `no signature on the note is by a known key (signed by ${signedBy}; known keys: ${knownKeys})`,
    );
  }
  return { text, signatures, verifiedBy };
}

/** "name+1a2b3c4d", the way the key appears in verifier keys and operators' configs. */
function label(name: string, keyId: Uint8Array): string {
  return `${name}+${Buffer.from(keyId).toString('hex')}`;
}

/** The rules a note text must meet so that the signed note can be opened again. */
function checkText(text: string): void {
  if (text === '') throw new NoteError('malformed', 'note text is empty');
  // §Format: "a text ending in newline"; the newline is part of what is signed.
  if (!text.endsWith('\n')) throw new NoteError('malformed', 'note text must end with a newline');
  checkNoteCharacters(text, 'note text');
}

/** Splits a note into text and signature lines (§Format). */
function splitNote(note: string): { text: string; lines: string[]; firstLine: number } {
  checkNoteCharacters(note, 'note');
  // §Format: "the text is separated from the signatures by the last empty line", so
  // texts may contain blank lines themselves. Signature lines are never empty, hence
  // the last "\n\n" is the separator.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) {
    throw new NoteError('malformed', 'note has no blank line separating its text from its signatures');
  }
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  const blankLine = countNewlines(text) + 1;
  if (block === '') {
    throw new NoteError('malformed', `note has no signature lines after the blank line (line ${blankLine})`);
  }
  if (!block.endsWith('\n')) {
    throw new NoteError('malformed', `note line ${blankLine + countNewlines(block) + 1}: last line does not end with a newline`);
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) {
    throw new NoteError('malformed', `note has ${lines.length} signature lines; at most ${MAX_SIGNATURES} are accepted`);
  }
  return { text, lines, firstLine: blankLine + 1 };
}

interface ParsedLine {
  line: number;
  name: string;
  keyId: Buffer;
  signature: Omit<NoteSignature, 'verified'>;
}

/** Parses "— <key name> <base64(key id || signature)>" (§Signatures). */
function parseSignatureLine(text: string, line: number): ParsedLine {
  const where = `note line ${line}`;
  if (!text.startsWith(SIGNATURE_PREFIX)) {
    throw new NoteError(
      'malformed',
      `${where}: expected a signature line starting with "— " (U+2014 em dash, space), got ${preview(text)}`,
    );
  }
  const rest = text.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) {
    throw new NoteError('malformed', `${where}: signature line must be "— <key name> <base64 signature>"`);
  }
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (name === '' || encoded.includes(' ')) {
    throw new NoteError('malformed', `${where}: extra space; a signature line is exactly "— <key name> <base64 signature>"`);
  }
  const problem = keyNameProblem(name);
  if (problem) throw new NoteError('malformed', `${where}: key name ${JSON.stringify(name)} ${problem}`);
  const decoded = decodeBase64(encoded);
  if (!decoded.ok) throw new NoteError('malformed', `${where}: signature by ${name} ${decoded.reason}`);
  const bytes = decoded.bytes;
  // §Format: "the base64 encoding of 4+n bytes"; an empty signature is not a signature.
  if (bytes.length <= KEY_ID_BYTES) {
    throw new NoteError(
      'malformed',
      `${where}: signature by ${name} is ${bytes.length} bytes; it needs a ${KEY_ID_BYTES}-byte key id and a signature`,
    );
  }
  const keyId = Buffer.from(bytes.subarray(0, KEY_ID_BYTES));
  return { line, name, keyId, signature: { name, keyId, signature: Buffer.from(bytes.subarray(KEY_ID_BYTES)) } };
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

function preview(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
