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
const OPERATOR_CHARS = '+-*/<>=~!@#%^&|`?';

// Character classes by code unit (this runs on every statement; a RegExp per character cost
// more than the rest of the lexer): letters, _, and anything from U+0080 start identifiers.
const isLetter = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code >= 0x80;
const isDigitCode = (code: number) => code >= 48 && code <= 57;
const isIdentStart = (c: string) => isLetter(c.charCodeAt(0));
const isIdentChar = (c: string) => {
  const code = c.charCodeAt(0);
  return isLetter(code) || isDigitCode(code) || code === 36; // $
};
const isDigit = (c: string) => c >= '0' && c <= '9';

export function statementShape(text: string, dialect: Engine = 'postgres'): string | null {
  const mysql = dialect === 'mysql';
  if (text.includes(MARK) || text.includes('$$')) return null;
  const out: string[] = [];
  let previous = ''; // the last significant token
  let firstWord: string | undefined;
  let i = 0;
  let from = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') (depth++, (i += 2));
        else if (text[i] === '*' && text[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      if (depth > 0) return null;
    } else if (mysql && c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === "'" || c === '"' || (mysql && c === '`')) {
      // A quote right after E, U& or B/X prefixes (MySQL: _charset, N, X, B) changes the rules: not handled.
      if (c === "'" && i > 0 && /[A-Za-z0-9_&]/.test(text[i - 1]!)) return null;
      i = quotedEnd(text, i, mysql && c !== '`');
      if (i < 0) return null;
      previous = c;
    } else if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? ''))) {
      const start = i;
      while (i < n && isDigit(text[i]!)) i++;
      if (text[i] === '.') for (i++; i < n && isDigit(text[i]!); ) i++;
      if (text[i] === 'e' || text[i] === 'E') {
        const save = i;
        i++;
        if (text[i] === '+' || text[i] === '-') i++;
        if (!isDigit(text[i] ?? '')) i = save;
        while (i < n && isDigit(text[i]!)) i++;
      }
      if (i < n && (isIdentChar(text[i]!) || text[i] === '.')) return null; // 0x1F, 1abc, 1.2.3: not sure
      if (BEFORE_VALUE.has(previous)) {
        out.push(text.slice(from, start), MARK);
        from = i;
      }
      previous = '0';
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < n && isIdentChar(text[i]!)) i++;
      // Only the first word's spelling matters; any word is "not an operator" for what follows.
      firstWord ??= text.slice(start, i).toLowerCase();
      previous = 'word';
    } else if (c === '$') {
      // $1 parameters are fine; $tag$ quoting is not handled.
      i++;
      if (!isDigit(text[i] ?? '')) return null;
      while (i < n && isDigit(text[i]!)) i++;
      previous = '$';
    } else if (c === ';') {
      // Only a trailing semicolon (then whitespace or comments) is allowed: one statement.
      const rest = text.slice(i + 1);
      if (!/^(\s|--[^\n]*(\n|$))*$/.test(rest)) return null;
      i = n;
    } else if (OPERATOR_CHARS.includes(c)) {
      const start = i;
      while (i < n && OPERATOR_CHARS.includes(text[i]!) && !(text[i] === '-' && text[i + 1] === '-') && !(text[i] === '/' && text[i + 1] === '*')) i++;
      previous = text.slice(start, i);
    } else if ('(),[]:.'.includes(c)) {
      previous = c;
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
