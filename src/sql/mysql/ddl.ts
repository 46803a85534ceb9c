// CREATE, ALTER, DROP, RENAME and TRUNCATE (MySQL manual, "Data Definition Statements").
// Object names are read from the tokens; the query of CREATE VIEW and CREATE TABLE … SELECT
// is parsed and walked, so its tables are reads. Stored programs (procedures, functions,
// triggers, events) run code we do not analyse, later and with their definer's rights:
// creating or altering one requires admin. Users, roles, servers, tablespaces and the rest
// of the server's administration are admin.
import type { Collector } from './collector.js';
import type { Token } from './lexer.js';
import { parseTokens, type Context, type Outcome } from './statements.js';
import { findWord, hasWord, isOp, isWord, readName, skipIfExists, splitCommas, StatementError } from './tokens.js';
import { walk } from './walk.js';

const OBJECTS = new Set(['TABLE', 'TABLES', 'VIEW', 'INDEX', 'DATABASE', 'SCHEMA', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'SEQUENCE']);
const ADMIN_OBJECTS = new Set(['USER', 'ROLE', 'SERVER', 'TABLESPACE', 'LOGFILE', 'RESOURCE', 'SPATIAL', 'INSTANCE', 'UNDO', 'PACKAGE']);

/** The index of the object keyword (TABLE, VIEW…) past OR REPLACE, DEFINER = …, ALGORITHM = … */
function objectKeyword(tokens: readonly Token[]): number {
  for (let i = 1; i < Math.min(tokens.length, 16); i++) {
    const t = tokens[i]!;
    if (isWord(t) && (OBJECTS.has(t.value) || ADMIN_OBJECTS.has(t.value))) {
      // DEFINER = user@host could be a user named like a keyword: only count words not after = or @.
      const prev = tokens[i - 1];
      if (isOp(prev, '=') || isOp(prev, '@')) continue;
      return i;
    }
  }
  return -1;
}

const kindName = (verb: string, object: string): string => `${verb[0]}${verb.slice(1).toLowerCase()}${object[0]}${object.slice(1).toLowerCase()}Stmt`;

export function ddlStatement(tokens: Token[], c: Collector, _ctx: Context): Outcome {
  const verb = tokens[0]!.value;
  if (verb === 'TRUNCATE') {
    const name = readName(tokens, isWord(tokens[1], 'TABLE') ? 2 : 1);
    if (!name) throw new StatementError('TRUNCATE of what?');
    c.add(name.schema, name.name, 'ddl');
    return { kind: 'TruncateStmt', class: 'ddl', flags: ['truncate'] };
  }
  if (verb === 'RENAME') {
    if (!isWord(tokens[1], 'TABLE', 'TABLES')) return { kind: 'RenameStmt', class: 'admin', requires: 'admin' };
    for (const part of splitCommas(tokens.slice(2))) {
      const from = readName(part, 0);
      const to = from && isWord(part[from.next], 'TO') ? readName(part, from.next + 1) : undefined;
      if (!from || !to) throw new StatementError('RENAME TABLE a TO b');
      c.add(from.schema, from.name, 'ddl');
      c.add(to.schema, to.name, 'ddl');
    }
    return { kind: 'RenameStmt', class: 'ddl' };
  }
  const at = objectKeyword(tokens);
  if (at < 0) return { kind: `${kindName(verb, 'Unknown')}`, class: 'admin', requires: 'admin' };
  const object = tokens[at]!.value === 'TABLES' ? 'TABLE' : tokens[at]!.value === 'SCHEMA' ? 'DATABASE' : tokens[at]!.value;
  const kind = kindName(verb, object);
  const drop = verb === 'DROP' ? (['drop'] as const) : ([] as const);
  if (ADMIN_OBJECTS.has(object)) return { kind, class: 'admin', requires: 'admin', flags: [...drop] };
  const i = skipIfExists(tokens, at + 1);
  switch (object) {
    case 'DATABASE': {
      // A database is MySQL's schema: the object is every table in it.
      const name = readName(tokens, i);
      if (name && name.schema === null) c.add(name.name, '*', 'ddl');
      else if (verb === 'ALTER' && c.defaultSchema !== undefined) c.add(c.defaultSchema, '*', 'ddl');
      else throw new StatementError('database name expected');
      return { kind, class: 'ddl', flags: [...drop] };
    }
    case 'PROCEDURE':
    case 'FUNCTION':
    case 'TRIGGER':
    case 'EVENT': {
      const name = readName(tokens, i);
      if (!name) throw new StatementError(`${object.toLowerCase()} name expected`);
      c.add(name.schema, name.name, 'ddl');
      if (object === 'TRIGGER' && verb === 'CREATE') {
        const on = findWord(tokens, name.next, 'ON');
        const table = on >= 0 ? readName(tokens, on + 1) : undefined;
        if (table) c.add(table.schema, table.name, 'ddl');
      }
      if (verb === 'DROP') return { kind, class: 'ddl', flags: ['drop'] };
      // The body is code that runs later, with the definer's rights; its words still raise
      // the flags deny rules look for.
      const flags: Array<'dynamic_code' | 'drop' | 'truncate'> = ['dynamic_code'];
      if (hasWord(tokens.slice(name.next), 'DROP')) flags.push('drop');
      if (hasWord(tokens.slice(name.next), 'TRUNCATE')) flags.push('truncate');
      return { kind, class: 'ddl', requires: 'admin', flags };
    }
    case 'INDEX': {
      // CREATE INDEX i ON t …, DROP INDEX i ON t: the table. ALTER INDEX does not exist.
      const on = findWord(tokens, i, 'ON');
      const table = on >= 0 ? readName(tokens, on + 1) : undefined;
      if (!table) throw new StatementError('INDEX … ON table expected');
      c.add(table.schema, table.name, 'ddl');
      return { kind, class: 'ddl', flags: [...drop] };
    }
    case 'VIEW':
    case 'TABLE':
    case 'SEQUENCE':
      return relations(tokens, i, verb, object, kind, c);
  }
  return { kind, class: 'admin', requires: 'admin' };
}

function relations(tokens: Token[], i: number, verb: string, object: string, kind: string, c: Collector): Outcome {
  if (verb === 'DROP') {
    // DROP [TEMPORARY] TABLE [IF EXISTS] a, b [RESTRICT | CASCADE]
    const list = tokens.slice(i).filter((t) => !isWord(t, 'RESTRICT', 'CASCADE'));
    for (const part of splitCommas(list)) {
      const name = readName(part, 0);
      if (!name || name.next !== part.length) throw new StatementError('table name expected');
      c.add(name.schema, name.name, 'ddl');
    }
    return { kind, class: 'ddl', flags: ['drop'] };
  }
  const name = readName(tokens, i);
  if (!name) throw new StatementError(`${object.toLowerCase()} name expected`);
  c.add(name.schema, name.name, 'ddl');
  const rest = tokens.slice(name.next);
  // Tables the definition reads from: LIKE t, REFERENCES t (foreign keys).
  rest.forEach((t, k) => {
    if (isWord(t, 'LIKE', 'REFERENCES')) {
      const other = readName(rest, k + 1);
      if (other) c.add(other.schema, other.name, 'read');
    }
    // ALTER TABLE t RENAME [TO|AS] u (not RENAME COLUMN/INDEX/KEY).
    if (verb === 'ALTER' && isWord(t, 'RENAME') && !isWord(rest[k + 1], 'COLUMN', 'INDEX', 'KEY')) {
      const to = readName(rest, isWord(rest[k + 1], 'TO', 'AS') ? k + 2 : k + 1);
      if (to) c.add(to.schema, to.name, 'ddl');
    }
  });
  // The query of a view, or of CREATE TABLE … [AS] SELECT: its tables are read.
  const q = queryStart(rest, object === 'VIEW');
  if (q >= 0) {
    let end = rest.length;
    const check = findWord(rest, q, 'WITH');
    if (object === 'VIEW' && check >= 0 && isWord(rest[rest.length - 1], 'OPTION') && check > q) end = check;
    walk(parseTokens(rest.slice(q, end), c), c);
  } else if (hasWord(rest, 'SELECT')) {
    throw new StatementError('a query in a definition that could not be found');
  }
  return { kind, class: 'ddl' };
}

/** Where the query of CREATE VIEW … AS q / CREATE TABLE … [AS] q starts, or -1. */
function queryStart(rest: readonly Token[], view: boolean): number {
  if (view) {
    const as = findWord(rest, 0, 'AS');
    return as >= 0 ? as + 1 : -1;
  }
  let depth = 0;
  for (let k = 0; k < rest.length; k++) {
    const t = rest[k]!;
    if (depth === 0 && isWord(t, 'SELECT', 'WITH', 'TABLE', 'VALUES')) return k;
    if (depth === 0 && isOp(t, '(') && isWord(rest[k + 1], 'SELECT', 'WITH')) return k;
    if (isOp(t, '(')) depth++;
    if (isOp(t, ')')) depth--;
  }
  return -1;
}

