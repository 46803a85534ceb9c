// What the classification of one MySQL statement has found so far, and how names resolve.
import type { ObjectAccess, Privilege, StatementFlag } from '../types.js';
import { sideEffect } from './side-effects.js';

/** Two needs on the connection as a whole: the same one, or else admin (a strict union). */
export function combine(a: Privilege | null, b: Privilege | null): Privilege | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return 'admin';
}

/** MySQL's ER_NO_DB_ERROR: an unqualified name with no current database. */
export class NoDatabase extends Error {
  constructor() {
    super('no database selected');
  }
}

/**
 * The schema and name a reference resolves to. Names are kept as written (MySQL on Linux
 * compares database and table names case-sensitively, lower_case_table_names=0), except
 * information_schema, whose name and tables MySQL matches case-insensitively: it is
 * reported as information_schema.UPPER so that one table has one spelling.
 */
export function resolveName(schema: string | null | undefined, name: string, defaultSchema: string | undefined): [string, string] {
  const s = schema ?? defaultSchema;
  if (s === undefined) throw new NoDatabase();
  if (s.toLowerCase() === 'information_schema') return ['information_schema', name.toUpperCase()];
  return [s, name];
}

export class Collector {
  private readonly objectMap = new Map<string, ObjectAccess>();
  readonly functions = new Set<string>();
  readonly flags = new Set<StatementFlag>();
  requires: Privilege | null = null;
  /** The strongest side effect of a function called: raises the statement's class. */
  effect: 'write' | 'admin' | null = null;
  /** Table-reference nodes already recorded with their own privilege. */
  private readonly claimed = new WeakSet<object>();

  constructor(readonly defaultSchema: string | undefined) {}

  add(schema: string | null | undefined, name: string, privilege: Privilege): void {
    const [s, n] = resolveName(schema, name, this.defaultSchema);
    const key = JSON.stringify([s, n, privilege]);
    if (!this.objectMap.has(key)) this.objectMap.set(key, { schema: s, name: n, privilege });
  }

  /** Records a table-reference node ({db, table}) once, with the privilege its position needs. */
  claim(ref: { db?: unknown; table?: unknown }, privilege: Privilege): void {
    if (this.claimed.has(ref)) return;
    this.claimed.add(ref);
    this.add(typeof ref.db === 'string' ? unquote(ref.db) : null, unquote(String(ref.table)), privilege);
  }

  /** Marks a node as seen without recording it (a DELETE target list names FROM items). */
  skip(ref: object): void {
    this.claimed.add(ref);
  }

  isClaimed(ref: object): boolean {
    return this.claimed.has(ref);
  }

  need(privilege: Privilege): void {
    this.requires = combine(this.requires, privilege);
  }

  call(name: string): void {
    const lower = name.toLowerCase();
    this.functions.add(lower);
    const effect = sideEffect(lower.slice(lower.lastIndexOf('.') + 1));
    if (!effect) return;
    this.flags.add('side_effect_function');
    for (const f of effect.flags ?? []) this.flags.add(f);
    if (effect.requires) {
      this.need(effect.requires);
      this.effect = this.effect === 'admin' || effect.requires === 'admin' ? 'admin' : effect.requires === 'write' ? 'write' : this.effect;
    }
  }

  get objects(): ObjectAccess[] {
    return [...this.objectMap.values()];
  }
}

/** node-sql-parser keeps a doubled backtick of a quoted name doubled: `a``b` → a`b. */
export const unquote = (name: string): string => name.replace(/``/g, '`');
