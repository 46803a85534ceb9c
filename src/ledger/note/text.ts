/**
 * Character rules shared by notes, checkpoints and key names.
 *
 * c2sp.org/signed-note §Format: signed notes MUST be valid UTF-8 and MUST NOT contain
 * ASCII control characters (below U+0020) other than newline; key names MUST be
 * non-empty and contain neither Unicode spaces nor plus (U+002B).
 */
import { NoteError } from './errors.js';

// `fatal` makes invalid UTF-8 an error instead of U+FFFD; `ignoreBOM` keeps a leading
// U+FEFF in the text, because it is part of the signed bytes and must not vanish.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes note bytes, refusing anything that is not well-formed UTF-8. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new NoteError('malformed', `${what} is not valid UTF-8 (${describeBadUtf8(bytes)})`);
  }
}

function describeBadUtf8(bytes: Uint8Array): string {
  // TextDecoder says only "invalid"; find the offending byte so the operator can look
  // at it in a hex dump. Well-formed sequences per Unicode 15 §3.9, Table 3-7.
  let line = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x0a) line++;
      i++;
      continue;
    }
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) [need, lo] = [2, 0xa0];
    else if (b === 0xed) [need, hi] = [2, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) [need, lo] = [3, 0x90];
    else if (b === 0xf4) [need, hi] = [3, 0x8f];
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    const bad = `bad byte 0x${b.toString(16).padStart(2, '0')} at offset ${i}, line ${line}`;
    if (need === 0) return bad;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return `truncated multi-byte sequence at offset ${i}, line ${line}`;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return bad;
    }
    i += need + 1;
  }
  return 'undetermined position';
}

// Lone UTF-16 surrogates can live in a JS string but have no UTF-8 encoding: Buffer
// would silently turn them into U+FFFD, so the signed bytes would differ from the text.
const LONE_SURROGATE = /\p{Surrogate}/u;
const FORBIDDEN_CHAR = /[\u0000-\u0009\u000b-\u001f]|\p{Surrogate}/u;

/**
 * Throws NoteError('malformed') naming the line of the first character a signed note
 * may not contain. `what` is "note" or "checkpoint" and starts the message.
 */
export function checkNoteCharacters(text: string, what: string): void {
  const match = FORBIDDEN_CHAR.exec(text);
  if (!match) return;
  const line = countLines(text, match.index);
  const ch = match[0];
  if (LONE_SURROGATE.test(ch)) {
    throw new NoteError('malformed', `${what} line ${line}: contains an unpaired UTF-16 surrogate, which is not valid UTF-8`);
  }
  const code = ch.charCodeAt(0);
  const hint = code === 0x0d ? ' (carriage return: CRLF line endings?)' : code === 0x09 ? ' (tab)' : '';
  throw new NoteError(
    'malformed',
    `${what} line ${line}: contains control character ${codePoint(code)}${hint}; only newline is allowed`,
  );
}

function countLines(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function codePoint(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

// Unicode White_Space is exactly the set Go's unicode.IsSpace tests, which is what
// golang.org/x/mod/sumdb/note means by "Unicode spaces". (\s in JS differs: it
// includes U+FEFF and omits U+0085.)
const WHITE_SPACE = /\p{White_Space}/u;
// Control characters are not spaces, but a name holding one could never appear in a
// valid note (signed-note §Format), so refuse it up front.
const CONTROL = /[\u0000-\u001f]/u;

/** Why `name` is not a valid key name (signed-note §Format), or undefined if it is. */
export function keyNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  const space = WHITE_SPACE.exec(name);
  if (space) return `contains a space character (${codePoint(space[0].codePointAt(0) ?? 0)})`;
  if (name.includes('+')) return 'contains "+"';
  const control = CONTROL.exec(name);
  if (control) return `contains control character ${codePoint(control[0].charCodeAt(0))}`;
  if (LONE_SURROGATE.test(name)) return 'contains an unpaired UTF-16 surrogate (not valid UTF-8)';
  return undefined;
}
