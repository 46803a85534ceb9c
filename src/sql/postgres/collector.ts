// What a walk over one statement's tree has found so far.
import type { ObjectAccess, Privilege, StatementFlag } from '../types.js';
import { str, type Obj } from './nodes.js';

/** Two needs on the connection as a whole: the same one, or else admin (a strict union). */
export function combine(a: Privilege | null, b: Privilege | null): Privilege | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  return 'admin';
}

/**
 * The schema an unqualified relation name resolves to. PostgreSQL searches pg_catalog
 * before the search_path (docs: ddl-schemas.html §5.10.5), so pg_class means
 * pg_catalog.pg_class; everything else is taken to be in public (see settings.ts for why
 * search_path changes need admin).
 */
export const defaultSchema = (name: string): string => (name.startsWith('pg_') ? 'pg_catalog' : 'public');

export class Collector {
  private readonly objectMap = new Map<string, ObjectAccess>();
  readonly functions = new Set<string>();
  readonly flags = new Set<StatementFlag>();
  /** Operator names used (for the system_catalog test only). */
  readonly operators = new Set<string>();
  /** A privilege needed on the connection as a whole. */
  requires: Privilege | null = null;
  /** A data-modifying statement (or SELECT INTO) is somewhere in the tree. */
  writes = false;
  /** The strongest side effect of a function called: raises the statement's class. */
  effect: 'write' | 'admin' | null = null;
  /** RangeVars already recorded with their own privilege (targets), skipped by the walk. */
  private readonly claimed = new WeakSet<object>();

  add(schema: string, name: string, privilege: Privilege): void {
    const key = JSON.stringify([schema, name, privilege]);
    if (!this.objectMap.has(key)) this.objectMap.set(key, { schema, name, privilege });
  }

  /** Records a RangeVar with the privilege its position needs; the walk will not see it again. */
  claim(rangeVar: Obj, privilege: Privilege): void {
    if (this.claimed.has(rangeVar)) return;
    this.claimed.add(rangeVar);
    const [schema, name] = relationName(rangeVar);
    this.add(schema, name, privilege);
  }

  isClaimed(rangeVar: Obj): boolean {
    return this.claimed.has(rangeVar);
  }

  need(privilege: Privilege): void {
    this.requires = combine(this.requires, privilege);
  }

  sideEffect(privilege: 'write' | 'admin'): void {
    this.effect = this.effect === 'admin' ? 'admin' : privilege;
  }

  get objects(): ObjectAccess[] {
    return [...this.objectMap.values()];
  }
}

/** Schema and name of a RangeVar, as the parser folded them. */
export function relationName(rangeVar: Obj): [string, string] {
  const name = str(rangeVar['relname']) ?? '';
  const schema = str(rangeVar['schemaname']);
  if (schema !== undefined) return [schema, name];
  // CREATE TEMP TABLE puts the table in the session's temporary schema.
  if (rangeVar['relpersistence'] === 't') return ['pg_temp', name];
  return [defaultSchema(name), name];
}

/** Schema and name from a qualified name list (DROP, COMMENT, functions, types…). */
export function qualifiedName(parts: readonly string[]): [string, string] {
  const name = parts[parts.length - 1]!;
  const schema = parts.length >= 2 ? parts[parts.length - 2]! : defaultSchema(name);
  return [schema, name];
}
