// One statement's tree → its class, objects, functions, flags and needs. A handler per
// statement kind claims the statement's own targets and decides its class; then the walk
// (walk.ts) finds every other relation and call. Kinds without a handler are admin: a
// statement the classifier does not know is never let through as something milder.
// Statement kinds: https://www.postgresql.org/docs/17/sql-commands.html
import type { ClassifiedStatement, Privilege, StatementFlag } from '../types.js';
import { onlySystemCatalog } from './catalog.js';
import { Collector, combine } from './collector.js';
import { ADMIN_KINDS, DDL_HANDLERS } from './ddl.js';
import { as, asRangeVar, constString, list, str, unwrap, type Obj } from './nodes.js';
import { ADMIN, type Handler, type Outcome } from './outcome.js';
import { settingRule } from './settings.js';
import { Walker } from './walk.js';

/** A classified statement before its text is attached, plus what EXPLAIN needs to know. */
export interface Result extends Omit<ClassifiedStatement, 'text' | 'kind'> {
  /** A side-effect function raised the class (kept even by EXPLAIN without ANALYZE). */
  effect: 'write' | 'admin' | null;
  /** The need that came from functions alone. */
  functionRequires: Privilege | null;
}

const claim = (c: Collector, v: unknown, privilege: Privilege): void => {
  const rv = asRangeVar(v);
  if (rv) c.claim(rv, privilege);
};

function copy(n: Obj, c: Collector): Outcome {
  const from = n['is_from'] === true;
  // COPY t FROM writes t; COPY t TO reads it. COPY (query) TO: the walk classifies the query.
  claim(c, n['relation'], from ? 'write' : 'read');
  if (n['is_program'] === true) return { class: 'admin', requires: 'admin', flags: ['copy_program'] };
  if (n['filename'] !== undefined) return { class: 'admin', requires: 'admin', flags: ['copy_file'] };
  return { class: from ? 'write' : 'read' };
}

// Two-phase commit: a prepared transaction outlives the session, keeps its locks and holds
// back vacuum until someone ends it, and COMMIT/ROLLBACK PREPARED end transactions that
// other sessions prepared (every gateway user shares the upstream role). Admin only.
const TWO_PHASE = new Set(['TRANS_STMT_PREPARE', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_ROLLBACK_PREPARED']);

function set(n: Obj): Outcome {
  const kind = str(n['kind']);
  // RESET ALL also resets the role (docs: sql-reset.html).
  if (kind === 'VAR_RESET_ALL') return { class: 'session', requires: 'admin', flags: ['role_change'] };
  // SET TRANSACTION / SESSION CHARACTERISTICS: transaction modes, nothing to guard.
  if (kind === 'VAR_SET_MULTI') return { class: 'session' };
  const values = kind === 'VAR_SET_VALUE' ? list(n['args']).map((a) => constString(a) ?? '\u0000') : null;
  const rule = settingRule(str(n['name']) ?? '', values);
  return { class: 'session', requires: rule.requires, flags: rule.flags };
}

/** A maintenance command on relations: they need ddl; on the whole database, admin. */
const maintenance =
  (relationsOf: (n: Obj) => unknown[]): Handler =>
  (n, c) => {
    const rels = relationsOf(n).filter((r) => asRangeVar(r) !== undefined);
    rels.forEach((r) => claim(c, r, 'ddl'));
    return rels.length > 0 ? { class: 'utility' } : { class: 'utility', requires: 'admin' };
  };

function reindex(n: Obj, c: Collector): Outcome {
  const kind = str(n['kind']);
  if (kind === 'REINDEX_OBJECT_SCHEMA' && str(n['name']) !== undefined) {
    c.add(str(n['name'])!, '*', 'ddl');
    return { class: 'utility' };
  }
  return maintenance((x) => [x['relation']])(n, c);
}

const HANDLERS: Record<string, Handler> = {
  SelectStmt: () => ({ class: 'read' }),
  InsertStmt: () => ({ class: 'write' }),
  UpdateStmt: () => ({ class: 'write' }),
  DeleteStmt: () => ({ class: 'write' }),
  MergeStmt: () => ({ class: 'write' }),
  CopyStmt: copy,
  // Code we cannot see into: DO runs a block, CALL runs a procedure, EXECUTE runs what was
  // prepared earlier (the gateway may later substitute it).
  DoStmt: () => ({ class: 'admin', requires: 'admin', flags: ['dynamic_code'] }),
  CallStmt: () => ({ class: 'write', requires: 'admin', flags: ['dynamic_code'] }),
  ExecuteStmt: () => ({ class: 'session', requires: 'admin', flags: ['dynamic_code'] }),
  DeallocateStmt: () => ({ class: 'session' }),
  FetchStmt: () => ({ class: 'read' }), // rows of a cursor whose DECLARE was classified
  ClosePortalStmt: () => ({ class: 'session' }),
  TransactionStmt: (n) => ({ class: 'transaction', requires: TWO_PHASE.has(str(n['kind']) ?? '') ? 'admin' : null }),
  ConstraintsSetStmt: () => ({ class: 'transaction' }),
  VariableSetStmt: set,
  VariableShowStmt: () => ({ class: 'session' }),
  // DISCARD ALL includes SET SESSION AUTHORIZATION DEFAULT and RESET ALL (sql-discard.html).
  DiscardStmt: (n) =>
    n['target'] === 'DISCARD_ALL' ? { class: 'session', requires: 'admin', flags: ['role_change'] } : { class: 'session' },
  LockStmt: (n, c) => {
    list(n['relations']).forEach((r) => claim(c, r, 'write'));
    return { class: 'utility' };
  },
  // LISTEN receives what others send (payloads may carry data): read. NOTIFY makes other
  // sessions act (cache flushes, job workers): write. UNLISTEN only affects this session.
  ListenStmt: () => ({ class: 'utility', requires: 'read' }),
  NotifyStmt: () => ({ class: 'utility', requires: 'write' }),
  UnlistenStmt: () => ({ class: 'utility' }),
  CheckPointStmt: () => ({ class: 'utility', requires: 'admin' }),
  VacuumStmt: maintenance((n) => list(n['rels']).map((r) => as(r, 'VacuumRelation')?.['relation'])),
  ClusterStmt: maintenance((n) => [n['relation']]),
  ReindexStmt: reindex,
  RefreshMatViewStmt: (n, c) => {
    claim(c, n['relation'], 'ddl');
    return { class: 'utility' };
  },
  ...DDL_HANDLERS,
};

/** Classifies one statement node ({"SelectStmt": {…}}); never throws for a well-formed tree. */
export function classifyNode(stmt: unknown): Result {
  const wrapped = unwrap(stmt);
  const kind = wrapped?.[0] ?? '';
  const n = wrapped?.[1] ?? {};
  if (kind === 'ExplainStmt') return explain(n);
  // PREPARE and DECLARE … CURSOR: what they will run is the inner statement.
  if (kind === 'PrepareStmt' || kind === 'DeclareCursorStmt') return classifyNode(n['query']);
  const c = new Collector();
  const handler = Object.hasOwn(HANDLERS, kind) ? HANDLERS[kind]! : ADMIN_KINDS.has(kind) ? () => ADMIN : unknownKind;
  const outcome = { ...handler(n, c) };
  if (kind.startsWith('Drop')) outcome.flags = [...(outcome.flags ?? []), 'drop'];
  new Walker(c).node(stmt, undefined);
  return finish(outcome, c);
}

/** Fail closed: a statement kind this classifier does not know needs admin. */
const unknownKind: Handler = () => ADMIN;

function finish(outcome: Outcome, c: Collector): Result {
  let cls = outcome.class;
  // A nested data-modifying statement (writing CTE, COPY (DELETE …) TO) makes a read a write;
  // a side-effect function makes any statement at least what the function needs.
  if (c.effect === 'admin') cls = 'admin';
  else if ((c.writes || c.effect === 'write') && cls === 'read') cls = 'write';
  const flags = new Set<StatementFlag>([...(outcome.flags ?? []), ...c.flags]);
  const objects = c.objects;
  let requires = combine(outcome.requires ?? null, c.requires);
  // A write or DDL statement whose target we could not name must not pass on no objects.
  if (requires === null && cls === 'write' && !objects.some((o) => o.privilege === 'write' || o.privilege === 'ddl')) requires = 'write';
  if (requires === null && cls === 'ddl' && !objects.some((o) => o.privilege === 'ddl')) requires = 'ddl';
  if (cls === 'read' && requires === null && flags.size === 0 && onlySystemCatalog(objects, c.functions, c.operators)) {
    flags.add('system_catalog');
  }
  return { class: cls, objects, functions: [...c.functions], flags: [...flags], requires, effect: c.effect, functionRequires: c.requires };
}

/**
 * EXPLAIN ANALYZE runs the statement: its classification, plus the flag. Plain EXPLAIN only
 * plans it: a read of the same objects. Side-effect functions still count, because the
 * planner evaluates stable functions while estimating (eval_const_expressions).
 */
function explain(n: Obj): Result {
  const inner = classifyNode(n['query']);
  if (analyzes(n['options'])) return { ...inner, flags: [...new Set<StatementFlag>([...inner.flags, 'explain_analyze'])] };
  const seen = new Set<string>();
  const objects = inner.objects
    .map((o) => ({ ...o, privilege: 'read' as const }))
    .filter((o) => !seen.has(`${o.schema}\u0000${o.name}`) && seen.add(`${o.schema}\u0000${o.name}`));
  const keep = new Set<StatementFlag>(['system_catalog', 'side_effect_function', 'dynamic_code']);
  return {
    class: inner.effect === 'admin' ? 'admin' : 'read',
    objects,
    functions: inner.functions,
    flags: inner.flags.filter((f) => keep.has(f)),
    requires: inner.functionRequires,
    effect: inner.effect,
    functionRequires: inner.functionRequires,
  };
}

/** EXPLAIN's ANALYZE option is on: `ANALYZE`, `(ANALYZE)`, `(ANALYZE true|on|1)`. */
function analyzes(options: unknown): boolean {
  return list(options).some((o) => {
    const def = as(o, 'DefElem');
    if (str(def?.['defname']) !== 'analyze') return false;
    const arg = def?.['arg'];
    if (arg === undefined) return true;
    // defGetBoolean (commands/define.c) reads true/false/on/off and 0/1 and rejects the rest;
    // anything else is treated as on (fail closed). The JSON form omits zero values.
    const bool = as(arg, 'Boolean');
    if (bool) return bool['boolval'] === true;
    const int = as(arg, 'Integer');
    if (int) return (int['ival'] ?? 0) !== 0;
    const text = str(as(arg, 'String')?.['sval']);
    return !(text !== undefined && ['false', 'off'].includes(text.toLowerCase()));
  });
}
