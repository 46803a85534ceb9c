// The walk over a statement's tree: every relation (RangeVar) and function call anywhere,
// with CTE names in scope, row locks, and data-modifying statements nested at any depth.
// Fields it does not know are walked generically, so a new node type in a later parser
// release can hide nothing: its relations are still found (as reads) and its calls checked.
import type { Privilege } from '../types.js';
import { Collector } from './collector.js';
import { as, asRangeVar, constString, isObj, list, names, parseQualifiedName, str, unwrap, type Obj } from './nodes.js';
import { qualifiedName } from './collector.js';
import { sideEffect } from './side-effects.js';

/** CTE names visible at a point of the tree (innermost first). */
export interface Scope {
  readonly names: ReadonlySet<string>;
  readonly parent: Scope | undefined;
}

const inScope = (scope: Scope | undefined, name: string): boolean => {
  for (let s = scope; s; s = s.parent) if (s.names.has(name)) return true;
  return false;
};

/** Which FROM items of a SELECT its locking clause covers: none, all, or those named. */
type Lock = 'none' | 'all' | ReadonlySet<string>;

const MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export class Walker {
  constructor(readonly c: Collector) {}

  /** Walks any value of the tree. */
  node(v: unknown, scope: Scope | undefined): void {
    if (Array.isArray(v)) {
      for (const x of v) this.node(x, scope);
      return;
    }
    if (!isObj(v)) return;
    const wrapped = unwrap(v);
    if (wrapped) return this.typed(wrapped[0], wrapped[1], scope);
    // A bare RangeVar (a field typed RangeVar, e.g. Constraint.pktable).
    if (typeof v['relname'] === 'string') return this.relation(v, 'read', scope);
    this.fields(v, scope);
  }

  /** Walks the fields of a node, except those named. */
  fields(n: Obj, scope: Scope | undefined, skip: readonly string[] = []): void {
    for (const key of Object.keys(n)) if (!skip.includes(key)) this.node(n[key], scope);
  }

  private typed(type: string, n: Obj, scope: Scope | undefined): void {
    switch (type) {
      case 'RangeVar':
        return this.relation(n, 'read', scope);
      case 'SelectStmt':
        return this.select(n, scope, 'none');
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt':
        return this.modify(type, n, scope);
      case 'FuncCall':
        return this.call(n, scope);
      case 'A_Expr': {
        const op = names(n['name']);
        if (op) this.c.operators.add(op.join('.'));
        return this.fields(n, scope);
      }
      case 'CallStmt':
        // CALL's funccall is a bare FuncCall (no wrapper); funcexpr is only set after analysis.
        if (isObj(n['funccall'])) this.call(n['funccall'], scope);
        return this.fields(n, scope, ['funccall']);
      case 'ExecuteStmt':
        // CREATE TABLE … AS EXECUTE, or EXECUTE itself: runs what was prepared, unseen here.
        this.c.flags.add('dynamic_code');
        this.c.need('admin');
        return this.fields(n, scope);
      default:
        return this.fields(n, scope);
    }
  }

  /** A relation reference; unqualified names of CTEs in scope are not relations. */
  relation(rangeVar: Obj, privilege: Privilege, scope: Scope | undefined): void {
    if (this.c.isClaimed(rangeVar)) return;
    const name = str(rangeVar['relname']) ?? '';
    const qualified = rangeVar['schemaname'] !== undefined || rangeVar['catalogname'] !== undefined;
    if (!qualified && inScope(scope, name)) return;
    this.c.claim(rangeVar, privilege);
  }

  /** WITH: walks the CTE bodies and returns the scope the statement's body sees. */
  private with(withClause: unknown, outer: Scope | undefined): Scope | undefined {
    if (!isObj(withClause)) return outer;
    const ctes = list(withClause['ctes']).map((x) => as(x, 'CommonTableExpr')).filter((x): x is Obj => x !== undefined);
    const cteNames = ctes.map((cte) => str(cte['ctename']) ?? '');
    const all: Scope = { names: new Set(cteNames), parent: outer };
    ctes.forEach((cte, i) => {
      // Without RECURSIVE a CTE sees only the ones before it; its own name, in its body,
      // is whatever it meant outside (a real table). With RECURSIVE all are visible.
      const bodyScope = withClause['recursive'] === true ? all : { names: new Set(cteNames.slice(0, i)), parent: outer };
      const query = unwrap(cte['ctequery']);
      if (query && MODIFYING.has(query[0])) this.c.flags.add('writing_cte');
      this.fields(cte, bodyScope);
    });
    return all;
  }

  /** SELECT (also VALUES and TABLE t); `inherited` is 'all' inside a locked FROM subquery. */
  private select(n: Obj, outer: Scope | undefined, inherited: 'none' | 'all'): void {
    const scope = this.with(n['withClause'], outer);
    const into = n['intoClause'];
    if (isObj(into)) {
      // SELECT … INTO t creates t (docs: sql-selectinto.html).
      const rel = asRangeVar(into['rel']);
      if (rel) this.c.claim(rel, 'ddl');
      this.c.flags.add('select_into');
      this.c.writes = true;
    }
    const from = list(n['fromClause']);
    const lock = inherited === 'all' ? 'all' : lockOf(n['lockingClause'], from);
    for (const item of from) this.from(item, scope, lock);
    // Set operations: both arms see the outer WITH.
    if (isObj(n['larg'])) this.select(n['larg'], scope, 'none');
    if (isObj(n['rarg'])) this.select(n['rarg'], scope, 'none');
    // lockingClause names aliases, not relations: never walked as objects.
    this.fields(n, scope, ['withClause', 'intoClause', 'fromClause', 'lockingClause', 'larg', 'rarg']);
  }

  /** One FROM item. Row locks (FOR UPDATE/SHARE) reach into joins and FROM subqueries. */
  private from(item: unknown, scope: Scope | undefined, lock: Lock): void {
    const wrapped = unwrap(item);
    if (!wrapped) return this.node(item, scope);
    const [type, n] = wrapped;
    switch (type) {
      case 'RangeVar':
        return this.relation(n, covers(lock, aliasOf(n) ?? str(n['relname'])) ? 'write' : 'read', scope);
      case 'JoinExpr':
        this.from(n['larg'], scope, lock);
        this.from(n['rarg'], scope, lock);
        return this.fields(n, scope, ['larg', 'rarg']);
      case 'RangeSubselect': {
        const sub = as(n['subquery'], 'SelectStmt');
        if (!sub) return this.fields(n, scope);
        this.select(sub, scope, covers(lock, aliasOf(n)) ? 'all' : 'none');
        return this.fields(n, scope, ['subquery']);
      }
      case 'RangeTableSample':
        this.from(n['relation'], scope, lock);
        return this.fields(n, scope, ['relation']);
      default:
        return this.typed(type, n, scope);
    }
  }

  /** INSERT/UPDATE/DELETE/MERGE, at the top or nested (CTE, COPY (…), rule action…). */
  private modify(type: string, n: Obj, outer: Scope | undefined): void {
    const scope = this.with(n['withClause'], outer);
    this.c.writes = true;
    // The target is always a real table: PostgreSQL never resolves it to a CTE.
    const target = asRangeVar(n['relation']);
    if (target) this.c.claim(target, 'write');
    // WHERE CURRENT OF is a whereClause (CurrentOfExpr); a WHERE in a subquery is not.
    if ((type === 'UpdateStmt' || type === 'DeleteStmt') && n['whereClause'] === undefined) this.c.flags.add('no_where');
    for (const key of ['fromClause', 'usingClause']) for (const item of list(n[key])) this.from(item, scope, 'none');
    if (n['sourceRelation'] !== undefined) this.from(n['sourceRelation'], scope, 'none');
    this.fields(n, scope, ['withClause', 'relation', 'fromClause', 'usingClause', 'sourceRelation']);
  }

  /** A function call: recorded, and checked against the side-effect list. */
  call(n: Obj, scope: Scope | undefined): void {
    const parts = (names(n['funcname']) ?? []).map((p) => p.toLowerCase());
    if (parts.length > 0) {
      // Special syntax (EXTRACT, SUBSTRING … FROM, OVERLAY…) comes back as pg_catalog.x; the
      // text did not qualify it.
      const shown = n['funcformat'] === 'COERCE_SQL_SYNTAX' && parts.length === 2 && parts[0] === 'pg_catalog' ? parts.slice(1) : parts;
      this.c.functions.add(shown.join('.'));
      const effect = sideEffect(parts[parts.length - 1]!);
      if (effect) {
        this.c.flags.add('side_effect_function');
        if (effect.dynamic) this.c.flags.add('dynamic_code');
        if (effect.sequence) {
          // nextval('s') / setval('s', …): a write to the sequence named by the literal; a
          // sequence chosen at run time could be any, so that needs admin.
          const text = constString(list(n['args'])[0]);
          const seq = text === undefined ? undefined : parseQualifiedName(text);
          if (seq) this.c.add(...qualifiedName(seq), 'write');
          else this.c.need('admin');
          this.c.sideEffect(seq ? 'write' : 'admin');
        } else {
          this.c.need(effect.requires);
          this.c.sideEffect(effect.requires === 'admin' ? 'admin' : 'write');
        }
      }
    }
    this.fields(n, scope, ['funcname']);
  }
}

const aliasOf = (n: Obj): string | undefined => str((n['alias'] as Obj | undefined)?.['aliasname']);

const covers = (lock: Lock, name: string | undefined): boolean =>
  lock === 'all' || (lock !== 'none' && name !== undefined && lock.has(name));

/**
 * The FROM items a locking clause covers. FOR UPDATE without OF locks every table of the
 * query level; OF names items by alias or name (docs: sql-select.html, "The Locking
 * Clause"). A name we cannot match to an item locks everything (fail closed).
 */
function lockOf(lockingClause: unknown, from: readonly unknown[]): Lock {
  const clauses = list(lockingClause).map((x) => as(x, 'LockingClause'));
  if (clauses.length === 0) return 'none';
  const named = new Set<string>();
  for (const clause of clauses) {
    const rels = list(clause?.['lockedRels']);
    if (clause === undefined || rels.length === 0) return 'all';
    for (const rel of rels) {
      const name = str(asRangeVar(rel)?.['relname']);
      if (name === undefined) return 'all';
      named.add(name);
    }
  }
  const visible = new Set<string>();
  const collect = (item: unknown): void => {
    const wrapped = unwrap(item);
    if (!wrapped) return;
    const [type, n] = wrapped;
    if (type === 'JoinExpr') {
      collect(n['larg']);
      collect(n['rarg']);
    } else if (type === 'RangeVar') {
      visible.add(aliasOf(n) ?? str(n['relname']) ?? '');
    } else if (type === 'RangeSubselect') {
      const alias = aliasOf(n);
      if (alias !== undefined) visible.add(alias);
    }
  };
  from.forEach(collect);
  for (const name of named) if (!visible.has(name)) return 'all';
  return named;
}
