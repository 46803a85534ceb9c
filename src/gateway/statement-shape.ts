/**
 * The shape of a statement: its text with the numeric literals that cannot change what it
 * does replaced by a marker, so that `… WHERE aid = 17` and `… WHERE aid = 42` share one
 * cached decision. Clients that inline values (pgbench in simple mode, many ORMs) otherwise
 * send a new text every time, and each would be parsed again.
 *
 * Deliberately narrow, because a wrong key would reuse a decision for a statement it does not
 * fit:
 * - only single SELECT, INSERT, UPDATE and DELETE statements (not WITH, EXPLAIN, SET, …);
 * - only unsigned numbers right after an operator (= < > <= >= <> != + - * / %) or inside a
 *   parenthesised list (after `(` or `,`): values that PostgreSQL compares, computes or stores,
 *   never a name, an option or a count the classifier reads (EXPLAIN (ANALYZE 1) is excluded
 *   by the first rule, LIMIT 5 and ORDER BY 1 by the second);
 * - anything the lexer is not sure of (dollar quotes, E'' strings, a character that cannot
 *   appear in SQL, an unterminated quote or comment, a second statement) gives null: no shape,
 *   the statement is decided on its own.
 * The lexical rules are PostgreSQL's (docs, "SQL Syntax" → "Lexical Structure"), or MySQL's
 * where they differ in what hides a number (MySQL reference, "Schema Object Names" and "String
 * Literals"): a backtick quotes an identifier (`` `t,1` `` is one name, not a list holding 1),
 * a backslash escapes the next character inside a string, and `#` starts a comment. Like the
 * MySQL classifier (sql/mysql/lexer.ts), it assumes the quoting of the default sql_mode;
 * changing NO_BACKSLASH_ESCAPES or ANSI_QUOTES takes the admin privilege (docs/sql.md).
 */
import type { Engine } from '../sql/types.js';

const MARK = '\u0001';
const FIRST_WORDS = new Set(['select', 'insert', 'update', 'delete']);
const BEFORE_VALUE = new Set(['=', '<', '>', '<=', '>=', '<>', '!=', '+', '-', '*', '/', '%', '(', ',']);

// Character classes by code unit: this runs on every statement, so it compares numbers, not
// one-character strings. Letters, _, and anything from U+0080 start identifiers.
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 0x80;
const isDigit = (code: number) => code >= 48 && code <= 57;
const isIdentChar = (code: number) => isLetter(code) || isDigit(code) || code === 36; // $
const codeSet = (chars: string) => {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return (code: number) => code < 128 && set[code] === 1;
};
const isOperatorChar = codeSet('+-*/<>=~!@#%^&|`?');
const isPunctuation = codeSet('(),[]:.');
const isWhitespace = codeSet(' \t\n\r\f');
/** What may stand right before a quote and make it a prefixed string (E'', U&'', B'', X'', N''…). */
const isQuotePrefix = codeSet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_&');

const SPACE = 32, HYPHEN = 45, SLASH = 47, STAR = 42, HASH = 35, QUOTE = 39, DOUBLE_QUOTE = 34, BACKTICK = 96;
const DOT = 46, LOWER_E = 101, UPPER_E = 69, PLUS = 43, DOLLAR = 36, SEMICOLON = 59;

export function statementShape(text: string, dialect: Engine = 'postgres'): string | null {
  const mysql = dialect === 'mysql';
  if (text.includes(MARK) || text.includes('$$')) return null;
  const out: string[] = [];
  let previous = ''; // the last significant token
  let firstWord: string | undefined;
  let i = 0;
  let from = 0;
  const n = text.length;
  // NaN past the end: every class test is false for it, as for the empty string before.
  const at = (k: number) => text.charCodeAt(k);
  while (i < n) {
    const c = at(i);
    if (c === SPACE || isWhitespace(c)) {
      i++;
    } else if (c === HYPHEN && at(i + 1) === HYPHEN) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === SLASH && at(i + 1) === STAR) {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (at(i) === SLASH && at(i + 1) === STAR) (depth++, (i += 2));
        else if (at(i) === STAR && at(i + 1) === SLASH) (depth--, (i += 2));
        else i++;
      }
      if (depth > 0) return null;
    } else if (mysql && c === HASH) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === QUOTE || c === DOUBLE_QUOTE || (mysql && c === BACKTICK)) {
      // A quote right after E, U& or B/X prefixes (MySQL: _charset, N, X, B) changes the rules: not handled.
      if (c === QUOTE && i > 0 && isQuotePrefix(at(i - 1))) return null;
      i = quotedEnd(text, i, mysql && c !== BACKTICK);
      if (i < 0) return null;
      previous = text[i - 1]!; // the closing quote is the opening one
    } else if (isDigit(c) || (c === DOT && isDigit(at(i + 1)))) {
      const start = i;
      while (i < n && isDigit(at(i))) i++;
      if (at(i) === DOT) for (i++; i < n && isDigit(at(i)); ) i++;
      if (at(i) === LOWER_E || at(i) === UPPER_E) {
        const save = i;
        i++;
        if (at(i) === PLUS || at(i) === HYPHEN) i++;
        if (!isDigit(at(i))) i = save;
        while (i < n && isDigit(at(i))) i++;
      }
      if (i < n && (isIdentChar(at(i)) || at(i) === DOT)) return null; // 0x1F, 1abc, 1.2.3: not sure
      if (BEFORE_VALUE.has(previous)) {
        out.push(text.slice(from, start), MARK);
        from = i;
      }
      previous = '0';
    } else if (isLetter(c)) {
      const start = i;
      while (i < n && isIdentChar(at(i))) i++;
      // Only the first word's spelling matters; any word is "not an operator" for what follows.
      firstWord ??= text.slice(start, i).toLowerCase();
      previous = 'word';
    } else if (c === DOLLAR) {
      // $1 parameters are fine; $tag$ quoting is not handled.
      i++;
      if (!isDigit(at(i))) return null;
      while (i < n && isDigit(at(i))) i++;
      previous = '$';
    } else if (c === SEMICOLON) {
      // Only a trailing semicolon (then whitespace or comments) is allowed: one statement.
      const rest = text.slice(i + 1);
      if (!/^(\s|--[^\n]*(\n|$))*$/.test(rest)) return null;
      i = n;
    } else if (isOperatorChar(c)) {
      const start = i;
      while (i < n && isOperatorChar(at(i)) && !(at(i) === HYPHEN && at(i + 1) === HYPHEN) && !(at(i) === SLASH && at(i + 1) === STAR)) i++;
      previous = text.slice(start, i);
    } else if (isPunctuation(c)) {
      previous = text[i]!;
      i++;
    } else {
      return null; // a character outside the lexical structure: let the parser judge it alone
    }
  }
  if (firstWord === undefined || !FIRST_WORDS.has(firstWord)) return null;
  if (from === 0) return text;
  out.push(text.slice(from));
  return out.join('');
}

/** The index after the quoted token that starts at `start` (doubled quotes, and backslash escapes if asked, inside); -1 if unterminated. */
function quotedEnd(text: string, start: number, backslashEscapes: boolean): number {
  const quote = text[start]!;
  let i = start + 1;
  for (;;) {
    const end = text.indexOf(quote, i);
    if (end < 0) return -1;
    if (backslashEscapes && escaped(text, i, end)) {
      i = end + 1; // \' inside: the string goes on
    } else if (text[end + 1] === quote) {
      i = end + 2; // '' inside
    } else {
      return end + 1;
    }
  }
}

/** Whether the character at `at` follows an odd run of backslashes (that began at or after `from`). */
function escaped(text: string, from: number, at: number): boolean {
  let run = 0;
  for (let j = at - 1; j >= from && text[j] === '\\'; j--) run++;
  return run % 2 === 1;
}
