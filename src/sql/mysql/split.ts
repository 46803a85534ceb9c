// From tokens to statements. Version-conditional executable comments (`/*!80016 …*/`,
// `/*M! …*/`) run on some servers and not on others, so the text can mean different things
// upstream; views() lists every way a server could read it, and classify.ts classifies each
// and keeps the strictest answer. Statements end at `;` (multi-statement strings), except
// that a stored program (CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT) runs to the end of the
// text: its body holds `;` that the server's grammar, not a splitter, knows the end of.
import type { Conditional, Token } from './lexer.js';

/** One way a server could read the text: which conditional comments it runs. */
export type View = (c: Conditional) => boolean;

/** More readings than this and the text is refused (a mysqldump file has about six). */
const MAX_VIEWS = 16;

/**
 * Every distinct reading. MySQL runs `/*!NNNNN` when its version (80000–99999) is at least
 * NNNNN and never runs `/*M!`. MariaDB runs `/*M!` without a version, and compares five-digit
 * versions with the MySQL version it is compatible with (10.11 runs /*!50000, not /*!50700)
 * and six-digit ones (`/*!NNNNNN`, `/*M!NNNNNN`) with its own: two thresholds.
 */
export function views(tokens: readonly Token[]): View[] | undefined {
  const conds = new Map<number, Conditional>();
  for (const t of tokens) if (t.cond) conds.set(t.cond.id, t.cond);
  if (conds.size === 0) return [() => true];
  const all = [...conds.values()];
  const versions = (six: boolean): number[] => [0, ...new Set(all.map((c) => c.version).filter((v): v is number => v !== null && v >= 100_000 === six))].sort((a, b) => a - b);
  const five = versions(false);
  const six = versions(true);
  if (five.length * six.length + five.length > MAX_VIEWS * 4) return undefined;
  const candidates: View[] = [() => true];
  for (const t5 of five) candidates.push((c) => c.family === 'mysql' && c.version !== null && c.version < 100_000 && c.version <= t5);
  for (const t5 of five) {
    for (const t6 of six) {
      candidates.push((c) => c.version === null || (c.version < 100_000 ? c.version <= t5 : c.version <= t6));
    }
  }
  // Keep one view per distinct set of comments run.
  const seen = new Set<string>();
  const result: View[] = [];
  for (const view of candidates) {
    const key = all.map((c) => (view(c) ? '1' : '0')).join('');
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(view);
  }
  return result.length > MAX_VIEWS ? undefined : result;
}

export interface RawStatement {
  tokens: Token[];
  /** The statement's text in the input, trimmed, without its `;`. */
  text: string;
}

const STORED_PROGRAMS = new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT']);

/** CREATE [OR REPLACE] [DEFINER = …] [AGGREGATE] PROCEDURE|FUNCTION|TRIGGER|EVENT … */
export function isStoredProgram(tokens: readonly Token[]): boolean {
  if (tokens[0]?.value !== 'CREATE' || tokens[0].kind !== 'word') return false;
  // Look past the clauses that may come before the object keyword, up to a short limit.
  for (let i = 1; i < Math.min(tokens.length, 12); i++) {
    const t = tokens[i]!;
    if (t.kind === 'word' && STORED_PROGRAMS.has(t.value)) {
      // CREATE FUNCTION f RETURNS … SONAME 'x.so' is a loadable function, no body; still
      // a stored-program-like statement (admin).
      return true;
    }
    if (t.kind === 'word' && (t.value === 'TABLE' || t.value === 'VIEW' || t.value === 'INDEX' || t.value === 'DATABASE' || t.value === 'SCHEMA' || t.value === 'USER')) return false;
  }
  return false;
}

/** The statements of one view, with their own text sliced from the input. */
export function statements(text: string, tokens: readonly Token[], view: View): RawStatement[] {
  const visible = tokens.filter((t) => !t.cond || view(t.cond));
  const out: RawStatement[] = [];
  let from = 0; // start of the current statement's text in the input
  let current: Token[] = [];
  const close = (end: number): void => {
    if (current.length > 0) out.push({ tokens: current, text: text.slice(from, end).trim() });
    current = [];
  };
  for (const t of visible) {
    if (t.kind === 'semi' && !isStoredProgram(current)) {
      close(t.start);
      from = t.end;
      continue;
    }
    current.push(t);
  }
  close(text.length);
  // A stored program keeps its trailing `;` tokens out of its own token list.
  for (const s of out) while (s.tokens.length > 0 && s.tokens[s.tokens.length - 1]!.kind === 'semi') s.tokens.pop();
  return out;
}

/** Text for the parser, with a map from its offsets back to the input. */
export interface Rebuilt {
  text: string;
  /** For each token: its offset in `text` and in the input. */
  offsets: Array<[number, number]>;
}

/**
 * The statement as the parser should see it: the tokens' own text, one space where the
 * input had whitespace, a comment or a comment marker. Two `-` are kept apart (MySQL reads
 * `1--1` as 1 - -1; the parser would take `--1` for a comment), and strings are re-quoted
 * in one canonical form so that the parser cannot read their escapes differently.
 */
export function rebuild(tokens: readonly Token[]): Rebuilt {
  let text = '';
  const offsets: Array<[number, number]> = [];
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev && (prev.end !== t.start || (prev.text.endsWith('-') && t.text.startsWith('-')) || prev.inComment !== t.inComment)) text += ' ';
    offsets.push([text.length, t.start]);
    text += t.kind === 'string' ? requote(t) : t.text;
    prev = t;
  }
  return { text, offsets };
}

function requote(t: Token): string {
  const q = t.text[0] === '"' ? '"' : "'";
  return q + t.value.replace(/\\/g, '\\\\').split(q).join(q + q) + q;
}

/** The input offset of a parser offset. */
export function inputOffset(rebuilt: Rebuilt, offset: number): number {
  let best: [number, number] | undefined;
  for (const o of rebuilt.offsets) if (o[0] <= offset) best = o;
  return best ? best[1] + (offset - best[0]) : 0;
}
