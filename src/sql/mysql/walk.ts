// Walks a node-sql-parser tree and records every table reference (as read unless a
// statement handler claimed it first with another privilege) and every function call.
// The walk visits every field of every node, so a clause with no rule of its own still
// cannot hide a table or a call. CTE names in scope are not tables (MySQL manual, "WITH
// (Common Table Expressions)": a CTE sees the CTEs defined before it, or all of them with
// RECURSIVE; the statement body sees all).
import type { Collector } from './collector.js';
import type { Ast } from './parser.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A table reference: {db, table} with table a string (column references carry a type). */
export const isTableRef = (v: unknown): v is Obj & { table: string } =>
  isObj(v) && typeof v['table'] === 'string' && 'db' in v && (v['type'] === undefined || v['type'] === null);

const cteName = (w: unknown): string | undefined => {
  if (!isObj(w)) return undefined;
  const n = w['name'];
  if (typeof n === 'string') return n;
  return isObj(n) && typeof n['value'] === 'string' ? n['value'] : undefined;
};

/** Functions written with special syntax whose node is not a 'function'. */
const functionName = (n: Obj): string | undefined => {
  const type = n['type'];
  if (type === 'aggr_func' && typeof n['name'] === 'string') return n['name'];
  if (type !== 'function') return undefined;
  const name = n['name'];
  if (typeof name === 'string') return name;
  if (!isObj(name)) return undefined;
  const parts = Array.isArray(name['name']) ? name['name'].map((p) => (isObj(p) ? String(p['value']) : String(p))) : [];
  const schema = isObj(name['schema']) ? String(name['schema']['value']) : undefined;
  if (parts.length === 0) return undefined;
  return [...(schema ? [schema] : []), ...parts].join('.');
};

export class Walker {
  /** Depth guard: a tree deeper than this is refused (the parser's own recursion comes first). */
  private depth = 0;

  constructor(private readonly c: Collector) {}

  node(v: unknown, scope: ReadonlySet<string>): void {
    if (++this.depth > 2000) throw new Error('the statement is nested too deeply');
    try {
      if (Array.isArray(v)) {
        for (const x of v) this.node(x, scope);
        return;
      }
      if (!isObj(v)) return;
      if (isTableRef(v) && !this.c.isClaimed(v)) {
        // An unqualified name of a CTE in scope is the CTE, not a table.
        if (!(v['db'] === null || v['db'] === undefined) || !scope.has(v['table'])) this.c.claim(v, 'read');
      }
      const fn = functionName(v);
      if (fn !== undefined) this.c.call(fn);
      if (v['type'] === 'into' && typeof v['keyword'] === 'string' && /^(OUTFILE|DUMPFILE)$/i.test(v['keyword'])) {
        // SELECT … INTO OUTFILE/DUMPFILE writes a file on the server (FILE privilege).
        this.c.flags.add('server_file');
        this.c.need('admin');
        this.c.effect = 'admin';
      }
      if (typeof v['locking_read'] === 'string' && Array.isArray(v['from'])) {
        // FOR UPDATE / FOR SHARE / LOCK IN SHARE MODE lock rows: the tables count as written.
        for (const f of v['from']) if (isTableRef(f) && !(f['db'] == null && scope.has(f['table']))) this.c.claim(f, 'write');
      }
      let inner = scope;
      if (Array.isArray(v['with'])) inner = this.ctes(v['with'], scope);
      for (const [key, value] of Object.entries(v)) {
        if (key === 'with' || key === 'tableList' || key === 'columnList') continue;
        if (typeof value === 'object' && value !== null) this.node(value, inner);
      }
    } finally {
      this.depth--;
    }
  }

  /** Walks the CTE bodies, each with the names it can see; returns the scope of the body. */
  private ctes(list: unknown[], scope: ReadonlySet<string>): Set<string> {
    const names = list.map(cteName).filter((n): n is string => n !== undefined);
    const recursive = list.some((w) => isObj(w) && w['recursive'] === true);
    list.forEach((w, i) => {
      const visible = new Set([...scope, ...(recursive ? names : names.slice(0, i))]);
      this.node(isObj(w) ? w['stmt'] : undefined, visible);
    });
    return new Set([...scope, ...names]);
  }
}

/** Walks a whole statement tree from an empty scope. */
export function walk(ast: Ast | unknown, c: Collector): void {
  new Walker(c).node(ast, new Set());
}
