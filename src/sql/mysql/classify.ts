// classify() for MySQL and MariaDB. Our own lexer finds strings, quoted names, comments,
// executable comments and statement boundaries exactly as the server does; each statement
// is then classified from its tokens (statements.ts), with node-sql-parser for queries and
// data changes. Fail closed: what cannot be lexed or parsed is an error (the gateway denies
// it); what parses but is not understood is admin; nothing the input can do makes this throw.
import type { Classification, ClassifiedStatement, Privilege, StatementClass, StatementFlag } from '../types.js';
import { combine, NoDatabase } from './collector.js';
import { lex, type Token } from './lexer.js';
import { statements, views } from './split.js';
import { classifyTokens, type Context, type Result } from './statements.js';
import { StatementError } from './tokens.js';

export interface MysqlOptions {
  /** The session's current database: where unqualified names live. */
  defaultSchema?: string | undefined;
}

type Failure = { ok: false; error: string; position?: number };

/** 1-based position in code points (as PostgreSQL's `P`, and what people count). */
const position = (text: string, offset: number): number => [...text.slice(0, Math.max(0, offset))].length + 1;

export function classifyMysql(text: string, options: MysqlOptions = {}): Classification {
  try {
    return classifyText(text, options.defaultSchema, 0);
  } catch (err) {
    // A tree deeper than the JavaScript stack, or a bug: deny rather than guess.
    return { ok: false, error: `the statement could not be classified: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function classifyText(text: string, defaultSchema: string | undefined, depth: number): Classification {
  const lexed = lex(text);
  if (!lexed.ok) return { ok: false, error: lexed.error, position: position(text, lexed.offset) };
  const readings = views(lexed.tokens);
  if (!readings) return { ok: false, error: 'too many version-conditional comments' };
  const results: Array<{ text: string; result: Result }[]> = [];
  for (const view of readings) {
    const outcome = classifyStatements(text, lexed.tokens, view, defaultSchema, depth);
    if ('ok' in outcome) return outcome;
    results.push(outcome);
  }
  const first = results[0]!;
  const merged: ClassifiedStatement[] = [];
  for (let i = 0; i < first.length; i++) {
    // Readings that split the same way are merged statement by statement.
    const m = merge(results.filter((r) => r.length === first.length).map((r) => r[i]!.result));
    if (!m) return { ok: false, error: 'version-conditional comments change which database is used' };
    const { effect: _effect, ...rest } = m;
    merged.push({ text: first[i]!.text, ...rest });
  }
  // A reading that splits differently (a `;` inside a conditional comment): its statements
  // that the first reading does not have are added, so nothing any server could run is missed.
  const known = new Set(merged.map((s) => JSON.stringify(s)));
  for (const r of results) {
    if (r.length === first.length) continue;
    for (const { text: t, result } of r) {
      const { effect: _effect, ...rest } = result;
      const s = { text: t, ...rest };
      if (!known.has(JSON.stringify(s))) {
        known.add(JSON.stringify(s));
        merged.push(s);
      }
    }
  }
  return { ok: true, statements: merged };
}

function classifyStatements(
  text: string,
  tokens: Token[],
  view: Parameters<typeof statements>[2],
  defaultSchema: string | undefined,
  depth: number,
): Array<{ text: string; result: Result }> | Failure {
  const out: Array<{ text: string; result: Result }> = [];
  let current = defaultSchema;
  for (const raw of statements(text, tokens, view)) {
    const ctx: Context = {
      defaultSchema: current,
      classifyText: (inner) => prepared(inner, current, depth),
    };
    try {
      const result = classifyTokens(raw.tokens, ctx);
      // USE changes where the following statements of the same text resolve names.
      if (result.kind === 'UseStmt' && result.database !== undefined) current = result.database;
      out.push({ text: raw.text, result });
    } catch (err) {
      if (err instanceof NoDatabase) return { ok: false, error: 'no database selected' };
      if (err instanceof StatementError) {
        return err.offset === undefined ? { ok: false, error: err.message } : { ok: false, error: err.message, position: position(text, err.offset) };
      }
      throw err;
    }
  }
  return out;
}

/** PREPARE s FROM '…': the text must be one statement that classifies. */
function prepared(inner: string, defaultSchema: string | undefined, depth: number): Result {
  if (depth > 8) throw new StatementError('PREPARE nested too deeply');
  const r = classifyText(inner, defaultSchema, depth + 1);
  if (!r.ok) throw new StatementError(`in the prepared text: ${r.error}`);
  if (r.statements.length !== 1) throw new StatementError('a prepared text must hold exactly one statement');
  const { text: _text, ...s } = r.statements[0]!;
  return { ...s, effect: s.class === 'admin' ? 'admin' : null };
}

const RANK: Record<StatementClass, number> = { transaction: 0, session: 0, utility: 0, read: 1, write: 2, ddl: 3, admin: 4 };

/** The strictest reading of one statement across the views (objects, flags and needs of all). */
function merge(results: Result[]): Result | undefined {
  const [first, ...others] = results as [Result, ...Result[]];
  if (others.length === 0) return first;
  if (others.some((r) => r.database !== first.database)) return undefined;
  const seen = new Map<string, Result['objects'][number]>();
  let requires: Privilege | null = first.requires;
  let cls: StatementClass = first.class;
  for (const r of results) {
    for (const o of r.objects) seen.set(JSON.stringify([o.schema, o.name, o.privilege]), o);
    requires = combine(requires, r.requires);
    if (r.class !== cls) {
      // Readings that differ in kind: the stronger class, and a need no reading can dodge.
      cls = RANK[r.class] > RANK[cls] ? r.class : cls;
      requires = combine(requires, 'admin');
    }
  }
  const flags = new Set<StatementFlag>(results.flatMap((r) => r.flags));
  // system_catalog holds only if it holds for every reading.
  if (!results.every((r) => r.flags.includes('system_catalog'))) flags.delete('system_catalog');
  return {
    ...first,
    class: cls,
    objects: [...seen.values()],
    functions: [...new Set(results.flatMap((r) => r.functions))],
    flags: [...flags],
    requires,
  };
}
