// Helpers over one statement's tokens: keywords, qualified names, top-level commas.
import type { Token } from './lexer.js';

/** A statement that cannot be classified: the whole text is refused (fail closed). */
export class StatementError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
  }
}

export const isWord = (t: Token | undefined, ...values: string[]): boolean =>
  t !== undefined && t.kind === 'word' && (values.length === 0 || values.includes(t.value));

export const isOp = (t: Token | undefined, op: string): boolean => t !== undefined && t.kind === 'op' && t.text === op;

/** The identifier a token names: a word as written, a `quoted` one without its quotes. */
export function identifier(t: Token | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t.kind === 'word') return t.text;
  if (t.kind === 'ident') return t.value;
  // "…" is an identifier under sql_mode ANSI_QUOTES (and an error otherwise).
  if (t.kind === 'string' && t.text.startsWith('"')) return t.value;
  return undefined;
}

/** Reads `name` or `schema.name` at index i; returns the parts and the next index. */
export function readName(tokens: readonly Token[], i: number): { schema: string | null; name: string; next: number } | undefined {
  const first = identifier(tokens[i]);
  if (first === undefined) return undefined;
  if (isOp(tokens[i + 1], '.')) {
    const second = identifier(tokens[i + 2]);
    if (second === undefined) return undefined;
    return { schema: first, name: second, next: i + 3 };
  }
  return { schema: null, name: first, next: i + 1 };
}

/** Skips `IF EXISTS` / `IF NOT EXISTS` at i. */
export function skipIfExists(tokens: readonly Token[], i: number): number {
  if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'NOT') && isWord(tokens[i + 2], 'EXISTS')) return i + 3;
  if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'EXISTS')) return i + 2;
  return i;
}

/** Splits tokens at commas outside parentheses. */
export function splitCommas(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, '(')) depth++;
    if (isOp(t, ')')) depth--;
    if (depth === 0 && isOp(t, ',')) parts.push([]);
    else parts[parts.length - 1]!.push(t);
  }
  return parts;
}

/** Index of the first top-level word among `values` at or after `from`, or -1. */
export function findWord(tokens: readonly Token[], from: number, ...values: string[]): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (depth === 0 && isWord(t, ...values)) return i;
  }
  return -1;
}

/** True when any token anywhere is one of the words. */
export const hasWord = (tokens: readonly Token[], ...values: string[]): boolean => tokens.some((t) => isWord(t, ...values));
