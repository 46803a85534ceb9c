// Object patterns: `schema.table` globs naming the relations a grant covers.
//
// Grammar (docs/policy.md, "Object patterns"):
//   pattern := "*"                      alias for *.*
//            | part "." part
//   part    := bare | quoted
//   bare    := one or more characters other than . " whitespace and controls;
//              `*` matches any run of characters (possibly empty), `?` exactly one
//   quoted  := '"' characters, with "" for a quote '"'   — literal: . * ? are plain characters
//
// Each part is matched on its own against the classifier's (already folded) schema or name,
// case-sensitively. Matching part by part means a `*` never crosses from schema to name, so a
// dot inside a quoted name cannot make `sales.*` reach schema "sales.archive".
//
// Globs are compiled to token lists and matched without regular expressions, so nothing an
// administrator types is ever interpreted as regex syntax.
import { PolicyInputError } from './errors.js';

const STAR = Symbol('*');
const ONE = Symbol('?');
type Token = string | typeof STAR | typeof ONE;

export interface PartGlob {
  /** The part as written (quotes included). */
  source: string;
  tokens: readonly Token[];
  /** Only stars: matches every string. */
  matchesAll: boolean;
}

export interface ObjectPattern {
  /** Canonical text: what was written, except that `*` becomes `*.*`. */
  text: string;
  schema: PartGlob;
  name: PartGlob;
  /** Covers every relation: what a need on the connection as a whole asks for. */
  coversAll: boolean;
}

/** Parses a pattern or throws a PolicyInputError that says what is wrong and how to write it. */
export function parseObjectPattern(text: string): ObjectPattern {
  const result = compile(text);
  if (typeof result === 'string') throw new PolicyInputError([{ path: '', message: result }]);
  return result;
}

// Patterns come from grants, a small and slowly changing set; compile each text once. The
// cache maps text to its compiled form, which depends on nothing else, so it can never hold
// stale policy (unlike a cache of grants). The cap only bounds memory against odd callers.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, ObjectPattern | string>();

/** The compiled pattern, or a message saying why the text is not one. Cached by text. */
export function compilePattern(text: string): ObjectPattern | string {
  if (typeof text !== 'string') return compile(text);
  let hit = cache.get(text);
  if (hit === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    hit = compile(text);
    cache.set(text, hit);
  }
  return hit;
}

export function patternMatches(pattern: ObjectPattern, schema: string, name: string): boolean {
  return partMatches(pattern.schema, schema) && partMatches(pattern.name, name);
}

/**
 * `schema.name` for messages, in the pattern syntax: a part that holds a dot, quote, glob
 * character, whitespace or nothing at all is quoted, so the text reads back unambiguously.
 */
export function displayObject(schema: string, name: string): string {
  return `${displayPart(schema)}.${displayPart(name)}`;
}

function displayPart(part: string): string {
  return part === '' || /[."*?\s\p{Cc}]/u.test(part) ? `"${part.replaceAll('"', '""')}"` : part;
}

function compile(text: unknown): ObjectPattern | string {
  if (typeof text !== 'string') return 'an object pattern must be a string such as sales.* or public.orders';
  if (text === '') return 'an object pattern cannot be empty: write schema.table, e.g. public.orders or sales.*';
  if (text === '*') return compile('*.*');
  const shown = JSON.stringify(text);
  const parts: PartGlob[] = [];
  let pos = 0;
  for (;;) {
    const part = text[pos] === '"' ? quotedPart(text, pos) : barePart(text, pos, parts.length);
    if (typeof part === 'string') return `${shown} is not a valid object pattern: ${part}`;
    parts.push(part.glob);
    pos = part.end;
    if (pos === text.length) break;
    // Both readers stop only at a dot or at the end.
    pos += 1;
    if (pos === text.length) return `${shown} is not a valid object pattern: ${emptyPart(parts.length)}`;
  }
  if (parts.length === 1) {
    return `${shown} is not a valid object pattern: it has no dot; write schema.table, e.g. ${parts[0]!.source}.* for every table in schema ${parts[0]!.source}`;
  }
  if (parts.length > 2) {
    return `${shown} is not a valid object pattern: write exactly one schema.table (no database part); quote a name that holds a dot, e.g. "my.schema".orders`;
  }
  const [schema, name] = parts as [PartGlob, PartGlob];
  return { text: `${schema.source}.${name.source}`, schema, name, coversAll: schema.matchesAll && name.matchesAll };
}

type PartResult = { glob: PartGlob; end: number } | string;

function emptyPart(index: number): string {
  if (index === 0) return 'the schema part before the dot is empty (use * for every schema)';
  if (index === 1) return 'the table part after the dot is empty (use * for every table)';
  return 'write exactly one schema.table';
}

function barePart(text: string, start: number, index: number): PartResult {
  const tokens: Token[] = [];
  let pos = start;
  for (const ch of text.slice(start)) {
    if (ch === '.') break;
    if (ch === '"') return 'a quote may only open a part (write "name" for a quoted name)';
    if (/[\s\p{Cc}]/u.test(ch)) return 'whitespace and control characters must be inside a quoted name';
    if (ch === '*') {
      // Consecutive stars match the same strings as one star.
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else tokens.push(ch === '?' ? ONE : ch);
    pos += ch.length;
  }
  if (pos === start) return emptyPart(index);
  return { glob: { source: text.slice(start, pos), tokens, matchesAll: tokens.length === 1 && tokens[0] === STAR }, end: pos };
}

function quotedPart(text: string, start: number): PartResult {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const close = text.indexOf('"', pos);
    if (close < 0) return 'a quoted name is not closed';
    value += text.slice(pos, close);
    if (text[close + 1] === '"') {
      value += '"';
      pos = close + 2;
      continue;
    }
    pos = close + 1;
    break;
  }
  if (value === '') return 'a quoted name cannot be empty';
  if (/\p{Cc}/u.test(value)) return 'control characters are not allowed in names';
  if (pos < text.length && text[pos] !== '.') return 'a quoted name must be followed by a dot or end the pattern';
  // Inside quotes every character is literal, * and ? included.
  return { glob: { source: text.slice(start, pos), tokens: Array.from(value), matchesAll: false }, end: pos };
}

/**
 * Wildcard matching by code point with one backtrack point (the last star seen): the classic
 * linear-space algorithm, O(pattern × text) at worst, with no regex engine involved.
 */
function partMatches(glob: PartGlob, value: string): boolean {
  if (glob.matchesAll) return true;
  const tokens = glob.tokens;
  const chars = Array.from(value);
  let p = 0;
  let c = 0;
  let starP = -1;
  let starC = 0;
  while (c < chars.length) {
    const token = tokens[p];
    if (p < tokens.length && (token === ONE || token === chars[c])) {
      p++;
      c++;
    } else if (token === STAR) {
      starP = p++;
      starC = c;
    } else if (starP >= 0) {
      p = starP + 1;
      c = ++starC;
    } else return false;
  }
  while (tokens[p] === STAR) p++;
  return p === tokens.length;
}
