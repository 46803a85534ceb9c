// One MySQL statement's tokens → its class, objects, functions, flags and needs. The
// leading keywords pick a handler (MySQL manual, "SQL Statements", chapter 15). Queries and
// data changes are parsed by node-sql-parser and walked (walk.ts); statements its grammar
// lacks but whose shape is simple (SET, SHOW, HANDLER, LOCK TABLES, DROP …) are read from
// the tokens. A statement kind not known here is admin: never let through as something milder.
import type { ClassifiedStatement, Privilege, StatementClass, StatementFlag } from '../types.js';
import { onlySystemCatalog, SYSTEM_SCHEMAS } from './catalog.js';
import { Collector, combine } from './collector.js';
import { ddlStatement } from './ddl.js';
import type { Token } from './lexer.js';
import { parseOne, type Ast } from './parser.js';
import { setStatement } from './settings.js';
import { showStatement } from './show.js';
import { inputOffset, rebuild } from './split.js';
import { findWord, hasWord, isOp, isWord, readName, splitCommas, StatementError } from './tokens.js';
import { isTableRef, walk } from './walk.js';

export interface Outcome {
  kind: string;
  class: StatementClass;
  requires?: Privilege | null;
  flags?: StatementFlag[];
  database?: string;
}

/** A classified statement before its text is attached, plus what EXPLAIN needs to know. */
export interface Result extends Omit<ClassifiedStatement, 'text'> {
  effect: 'write' | 'admin' | null;
}

export interface Context {
  defaultSchema: string | undefined;
  /** Classifies a statement given as text (PREPARE … FROM '…'); exactly one statement. */
  classifyText(text: string): Result;
}

export type Handler = (tokens: Token[], c: Collector, ctx: Context) => Outcome;

/** Parses tokens with node-sql-parser (`prefix` is put before them, e.g. "SELECT "). */
export function parseTokens(tokens: readonly Token[], _c: Collector, prefix = "") : Ast {
  const rebuilt = rebuild(tokens);
  const parsed = parseOne(prefix + rebuilt.text);
  if (!parsed.ok) {
    const at = parsed.offset === undefined ? undefined : inputOffset(rebuilt, Math.max(0, parsed.offset - prefix.length));
    throw new StatementError(parsed.error, at);
  }
  return parsed.ast;
}

const ADMIN = (kind: string): Outcome => ({ kind, class: 'admin', requires: 'admin' });
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);

function query(tokens: Token[], c: Collector): Outcome {
  const ast = parseTokens(tokens, c);
  if (ast['type'] !== 'select') throw new StatementError('expected a query');
  walk(ast, c);
  return { kind: 'SelectStmt', class: 'read' };
}

function insert(tokens: Token[], c: Collector): Outcome {
  const ast = parseTokens(tokens, c);
  if (ast['type'] !== 'insert' && ast['type'] !== 'replace') throw new StatementError('expected INSERT or REPLACE');
  for (const t of arr(ast['table'])) if (isTableRef(t)) c.claim(t, 'write');
  walk(ast, c);
  return { kind: ast['type'] === 'replace' ? 'ReplaceStmt' : 'InsertStmt', class: 'write' };
}

/** The FROM item a multi-table UPDATE/DELETE target names: by alias, else by name. */
function targetOf(name: { db: unknown; table: string }, items: unknown[]): Record<string, unknown> | undefined {
  const refs = items.filter(isTableRef);
  if (name.db === null || name.db === undefined) {
    const byAlias = refs.find((r) => r['as'] === name.table);
    if (byAlias) return byAlias;
  }
  return refs.find((r) => r['table'] === name.table && (name.db == null || r['db'] === name.db) && !r['as']) ??
    refs.find((r) => r['table'] === name.table && (name.db == null || r['db'] === name.db));
}

function update(tokens: Token[], c: Collector): Outcome {
  const ast = parseTokens(tokens, c);
  if (ast['type'] !== 'update') throw new StatementError('expected UPDATE');
  const items = arr(ast['table']);
  const refs = items.filter(isTableRef);
  const sets = arr(ast['set']) as Array<Record<string, unknown>>;
  if (refs.length === 1 || sets.some((s) => typeof s['table'] !== 'string')) {
    // One table, or a column we cannot attribute: every table of the UPDATE counts as written.
    refs.forEach((r) => c.claim(r, 'write'));
  } else {
    for (const s of sets) {
      const target = targetOf({ db: null, table: String(s['table']) }, items);
      if (target) c.claim(target, 'write');
      else refs.forEach((r) => c.claim(r, 'write'));
    }
  }
  walk(ast, c);
  return { kind: 'UpdateStmt', class: 'write', flags: ast['where'] ? [] : ['no_where'] };
}

function del(tokens: Token[], c: Collector): Outcome {
  const ast = parseTokens(tokens, c);
  if (ast['type'] !== 'delete') throw new StatementError('expected DELETE');
  const from = arr(ast['from']);
  for (const t of arr(ast['table'])) {
    if (!isTableRef(t)) continue;
    // The target list names FROM items (by alias or name); only unmatched names are tables.
    const target = targetOf({ db: t['db'], table: t['table'] }, from);
    c.claim(target ?? t, 'write');
    c.skip(t);
  }
  walk(ast, c);
  return { kind: 'DeleteStmt', class: 'write', flags: ast['where'] ? [] : ['no_where'] };
}

/** LOAD DATA [LOCAL] INFILE 'f' … INTO TABLE t …, LOAD XML …: writes t. */
function load(tokens: Token[], c: Collector): Outcome {
  if (!isWord(tokens[1], 'DATA', 'XML')) return ADMIN('LoadStmt'); // LOAD INDEX INTO CACHE
  const into = findWord(tokens, 2, 'INTO');
  const name = into >= 0 && isWord(tokens[into + 1], 'TABLE') ? readName(tokens, into + 2) : undefined;
  if (!name) throw new StatementError('LOAD DATA without INTO TABLE');
  c.add(name.schema, name.name, 'write');
  const local = isWord(tokens[2], 'LOCAL') || isWord(tokens[3], 'LOCAL');
  // SET col = expr may hold a subquery that this does not parse: refuse to guess.
  if (hasWord(tokens, 'SELECT')) return { ...ADMIN('LoadDataStmt'), flags: local ? [] : ['server_file'] };
  // Without LOCAL the server reads a file of its own (FILE privilege, secure_file_priv).
  if (!local) return { kind: 'LoadDataStmt', class: 'admin', requires: 'admin', flags: ['server_file'] };
  return { kind: 'LoadDataStmt', class: 'write' };
}

function use(tokens: Token[]): Outcome {
  const name = readName(tokens, 1);
  if (!name || name.schema !== null || name.next !== tokens.length) throw new StatementError('USE takes one database name');
  return { kind: 'UseStmt', class: 'session', database: name.name };
}

/** HANDLER t OPEN [AS a] / READ … / CLOSE: reads t (MySQL manual, "HANDLER Statement"). */
function handler(tokens: Token[], c: Collector): Outcome {
  const name = readName(tokens, 1);
  if (!name) throw new StatementError('HANDLER needs a table');
  if (isWord(tokens[name.next], 'CLOSE')) return { kind: 'HandlerStmt', class: 'session' };
  c.add(name.schema, name.name, 'read');
  const where = findWord(tokens, name.next, 'WHERE');
  if (where >= 0) {
    const limit = findWord(tokens, where, 'LIMIT');
    walk(parseTokens(tokens.slice(where + 1, limit < 0 ? undefined : limit), c, 'SELECT '), c);
  }
  return { kind: 'HandlerStmt', class: 'read' };
}

/** PREPARE s FROM 'text': what it will run is the text. FROM @var: we cannot see it. */
function prepare(tokens: Token[], c: Collector, ctx: Context): Outcome | Result {
  const from = tokens[3];
  if (!isWord(tokens[2], 'FROM') || tokens.length !== 4) throw new StatementError('PREPARE name FROM text');
  if (from!.kind === 'string') return { ...ctx.classifyText(from!.value), kind: 'PrepareStmt' };
  return { kind: 'PrepareStmt', class: 'session', requires: 'admin', flags: ['dynamic_code'] };
}

/** DO expr, …: evaluates expressions, as SELECT would. */
function doStatement(tokens: Token[], c: Collector): Outcome {
  walk(parseTokens(tokens.slice(1), c, 'SELECT '), c);
  return { kind: 'DoStmt', class: 'read' };
}

function lock(tokens: Token[], c: Collector): Outcome {
  if (!isWord(tokens[1], 'TABLE', 'TABLES')) return ADMIN('LockStmt'); // LOCK INSTANCE FOR BACKUP
  for (const part of splitCommas(tokens.slice(2))) {
    const name = readName(part, 0);
    if (!name) throw new StatementError('LOCK TABLES needs table names');
    // A READ lock stalls writers, a WRITE lock everyone: like LOCK in PostgreSQL, write.
    c.add(name.schema, name.name, 'write');
  }
  return { kind: 'LockStmt', class: 'utility' };
}

/** OPTIMIZE/REPAIR/ANALYZE TABLE a, b (ddl on each); CHECK/CHECKSUM TABLE (read). */
const maintenance =
  (privilege: Privilege): Handler =>
  (tokens, c) => {
    let i = 1;
    if (isWord(tokens[i], 'NO_WRITE_TO_BINLOG', 'LOCAL')) i++;
    if (!isWord(tokens[i], 'TABLE', 'TABLES')) return ADMIN('MaintenanceStmt');
    const names = splitCommas(tokens.slice(i + 1));
    for (const part of names) {
      const name = readName(part, 0);
      if (!name) throw new StatementError('table name expected');
      c.add(name.schema, name.name, privilege);
    }
    return { kind: 'MaintenanceStmt', class: 'utility' };
  };

/** EXPLAIN / DESCRIBE / DESC, and MariaDB's ANALYZE stmt. */
function explain(tokens: Token[], c: Collector, ctx: Context): Outcome | Result {
  let i = 1;
  let analyze = isWord(tokens[0], 'ANALYZE');
  if (isWord(tokens[i], 'ANALYZE')) {
    analyze = true;
    i++;
  }
  while (isWord(tokens[i], 'EXTENDED', 'PARTITIONS') || (isWord(tokens[i], 'FORMAT') && isOp(tokens[i + 1], '='))) {
    i += isWord(tokens[i], 'FORMAT') ? 3 : 1;
  }
  if (isWord(tokens[i], 'FOR')) return ADMIN('ExplainStmt'); // EXPLAIN FOR CONNECTION n: another session's statement
  const rest = tokens.slice(i);
  const head = rest[0];
  const isStatement = isOp(head, '(') || isWord(head, 'SELECT', 'WITH', 'INSERT', 'REPLACE', 'UPDATE', 'DELETE', 'TABLE', 'VALUES');
  if (!isStatement) {
    // DESCRIBE t [column]: the table's columns.
    const name = readName(tokens, i);
    if (!name || analyze) throw new StatementError('EXPLAIN of what?');
    c.add(name.schema, name.name, 'read');
    return { kind: 'DescribeStmt', class: 'read' };
  }
  const inner = classifyTokens(rest, ctx);
  if (analyze) return { ...inner, kind: 'ExplainStmt', flags: [...new Set<StatementFlag>([...inner.flags, 'explain_analyze'])] };
  // Plain EXPLAIN only plans: every object becomes a read.
  const seen = new Set<string>();
  const objects = inner.objects
    .map((o) => ({ ...o, privilege: 'read' as const }))
    .filter((o) => !seen.has(`${o.schema}\u0000${o.name}`) && seen.add(`${o.schema}\u0000${o.name}`));
  const keep = new Set<StatementFlag>(['system_catalog', 'side_effect_function', 'dynamic_code']);
  return {
    kind: 'ExplainStmt',
    class: inner.effect === 'admin' ? 'admin' : 'read',
    objects,
    functions: inner.functions,
    flags: inner.flags.filter((f) => keep.has(f)),
    requires: inner.effect === 'admin' ? 'admin' : null,
    effect: inner.effect,
  };
}

const transaction = (requires: Privilege | null = null): Handler => () => ({ kind: 'TransactionStmt', class: 'transaction', requires });

const HANDLERS: Record<string, Handler | ((tokens: Token[], c: Collector, ctx: Context) => Outcome | Result)> = {
  SELECT: query,
  WITH: query,
  INSERT: insert,
  REPLACE: insert,
  UPDATE: update,
  DELETE: del,
  LOAD: load,
  TABLE: (tokens, c) => {
    const name = readName(tokens, 1);
    if (!name || hasWord(tokens, 'SELECT')) throw new StatementError('TABLE name');
    c.add(name.schema, name.name, 'read');
    return { kind: 'SelectStmt', class: 'read' };
  },
  VALUES: (tokens) => {
    if (hasWord(tokens, 'SELECT', 'TABLE')) return ADMIN('ValuesStmt');
    return { kind: 'ValuesStmt', class: 'read' };
  },
  USE: use,
  HANDLER: handler,
  PREPARE: prepare,
  EXECUTE: () => ({ kind: 'ExecuteStmt', class: 'session', requires: 'admin', flags: ['dynamic_code'] }),
  DEALLOCATE: () => ({ kind: 'DeallocateStmt', class: 'session' }),
  CALL: () => ({ kind: 'CallStmt', class: 'write', requires: 'admin', flags: ['dynamic_code'] }),
  DO: doStatement,
  SET: setStatement,
  SHOW: showStatement,
  EXPLAIN: explain,
  DESCRIBE: explain,
  DESC: explain,
  ANALYZE: (tokens, c, ctx) =>
    isWord(tokens[1], 'TABLE', 'TABLES', 'NO_WRITE_TO_BINLOG', 'LOCAL') ? maintenance('ddl')(tokens, c, ctx) : explain(tokens, c, ctx),
  OPTIMIZE: maintenance('ddl'),
  REPAIR: maintenance('ddl'),
  CHECK: maintenance('read'),
  CHECKSUM: maintenance('read'),
  BEGIN: transaction(),
  START: (tokens) => (isWord(tokens[1], 'TRANSACTION') ? { kind: 'TransactionStmt', class: 'transaction' } : ADMIN('ReplicationStmt')),
  COMMIT: transaction(),
  ROLLBACK: transaction(),
  SAVEPOINT: transaction(),
  RELEASE: transaction(),
  // XA: a prepared branch outlives the session and keeps its locks; XA RECOVER lists others'.
  XA: transaction('admin'),
  LOCK: lock,
  UNLOCK: (tokens) => (isWord(tokens[1], 'TABLE', 'TABLES') ? { kind: 'UnlockStmt', class: 'utility' } : ADMIN('UnlockStmt')),
  HELP: () => ({ kind: 'HelpStmt', class: 'read' }),
  GET: () => ({ kind: 'GetDiagnosticsStmt', class: 'session' }),
  CREATE: ddlStatement,
  ALTER: ddlStatement,
  DROP: (tokens, c, ctx) => (isWord(tokens[1], 'PREPARE') ? { kind: 'DeallocateStmt', class: 'session' } : ddlStatement(tokens, c, ctx)),
  RENAME: ddlStatement,
  TRUNCATE: ddlStatement,
};

/** Classifies one statement's tokens (non-empty, no `;`). Throws StatementError or NoDatabase. */
export function classifyTokens(tokens: Token[], ctx: Context): Result {
  const head = tokens[0]!;
  const c = new Collector(ctx.defaultSchema);
  let outcome: Outcome | Result;
  if (isOp(head, '(')) outcome = query(tokens, c);
  else if (head.kind === 'word' && Object.hasOwn(HANDLERS, head.value)) outcome = HANDLERS[head.value]!(tokens, c, ctx);
  else outcome = ADMIN(head.kind === 'word' ? `${head.value[0]}${head.value.slice(1).toLowerCase()}Stmt` : 'UnknownStmt');
  if ('objects' in outcome) return outcome as Result;
  return finish(outcome, c);
}

function finish(outcome: Outcome, c: Collector): Result {
  let cls = outcome.class;
  if (c.effect === 'admin') cls = 'admin';
  else if (c.effect === 'write' && cls === 'read') cls = 'write';
  const flags = new Set<StatementFlag>([...(outcome.flags ?? []), ...c.flags]);
  const objects = c.objects;
  let requires = combine(outcome.requires ?? null, c.requires);
  // Writing the system schemas (grant tables in mysql, instrumentation in performance_schema,
  // sys_config) is administration, whatever the statement looks like.
  if (objects.some((o) => o.privilege !== 'read' && SYSTEM_SCHEMAS.has(o.schema))) {
    cls = 'admin';
    requires = 'admin';
  }
  // A write or DDL statement whose target we could not name must not pass on no objects.
  if (requires === null && cls === 'write' && !objects.some((o) => o.privilege === 'write' || o.privilege === 'ddl')) requires = 'write';
  if (requires === null && cls === 'ddl' && !objects.some((o) => o.privilege === 'ddl')) requires = 'ddl';
  if (cls === 'read' && requires === null && flags.size === 0 && onlySystemCatalog(objects, c.functions)) flags.add('system_catalog');
  return {
    kind: outcome.kind,
    class: cls,
    objects,
    functions: [...c.functions],
    flags: [...flags],
    requires,
    effect: c.effect,
    ...(outcome.database === undefined ? {} : { database: outcome.database }),
  };
}
