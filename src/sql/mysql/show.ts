// SHOW (MySQL manual, "SHOW Statements"): reads of metadata and server state. Those that
// name a table read it; those that show other sessions' statements, the binary log or
// account secrets need admin. A SHOW this does not know needs admin too.
import type { Collector } from './collector.js';
import type { Token } from './lexer.js';
import type { Context, Outcome } from './statements.js';
import { findWord, hasWord, isWord, readName, StatementError } from './tokens.js';

/** SHOW forms that list metadata or this session's own state. */
const PLAIN = new Set([
  'TABLES', 'DATABASES', 'SCHEMAS', 'VARIABLES', 'STATUS', 'WARNINGS', 'ERRORS', 'COUNT', 'ENGINES', 'CHARSET', 'CHARACTER',
  'COLLATION', 'PLUGINS', 'PRIVILEGES', 'TRIGGERS', 'EVENTS', 'OPEN', 'TABLE', 'PROCEDURE', 'FUNCTION', 'PROFILE', 'PROFILES',
  'STORAGE', 'AUTHORS', 'CONTRIBUTORS', 'LOCALES', 'QUERY_RESPONSE_TIME', 'WSREP_MEMBERSHIP', 'WSREP_STATUS', 'PACKAGE',
]);

/** Other sessions' statements, the binary/relay logs, replication, account secrets. */
const ADMIN_SHOW = new Set(['PROCESSLIST', 'ENGINE', 'BINLOG', 'RELAYLOG', 'BINARY', 'MASTER', 'SLAVE', 'REPLICA', 'REPLICAS', 'EXPLAIN', 'ANALYZE', 'USER_STATISTICS', 'CLIENT_STATISTICS', 'INDEX_STATISTICS', 'TABLE_STATISTICS', 'ALL']);

const CREATE_OBJECTS = new Set(['TABLE', 'VIEW', 'PROCEDURE', 'FUNCTION', 'TRIGGER', 'EVENT', 'SEQUENCE', 'PACKAGE']);

export function showStatement(tokens: Token[], c: Collector, _ctx: Context): Outcome {
  const read: Outcome = { kind: 'ShowStmt', class: 'read' };
  const admin: Outcome = { kind: 'ShowStmt', class: 'read', requires: 'admin' };
  // SHOW … WHERE expr could hold a subquery, which is not parsed here.
  if (hasWord(tokens, 'SELECT')) return { kind: 'ShowStmt', class: 'admin', requires: 'admin' };
  let i = 1;
  while (isWord(tokens[i], 'FULL', 'GLOBAL', 'SESSION', 'LOCAL', 'EXTENDED')) i++;
  const what = tokens[i];
  if (!isWord(what)) throw new StatementError('SHOW what?');
  if (isWord(what, 'COLUMNS', 'FIELDS', 'INDEX', 'INDEXES', 'KEYS')) {
    // SHOW COLUMNS FROM t [FROM db]
    if (!isWord(tokens[i + 1], 'FROM', 'IN')) throw new StatementError('SHOW COLUMNS FROM table');
    const name = readName(tokens, i + 2);
    if (!name) throw new StatementError('table name expected');
    const db = isWord(tokens[name.next], 'FROM', 'IN') ? readName(tokens, name.next + 1) : undefined;
    c.add(db && db.schema === null ? db.name : name.schema, name.name, 'read');
    return read;
  }
  if (isWord(what, 'CREATE')) {
    const object = tokens[i + 1];
    if (isWord(object, 'DATABASE', 'SCHEMA')) return read;
    if (!isWord(object) || !CREATE_OBJECTS.has(object!.value)) return admin; // SHOW CREATE USER shows password hashes
    const name = readName(tokens, i + 2);
    if (!name) throw new StatementError('name expected');
    c.add(name.schema, name.name, 'read');
    return read;
  }
  if (isWord(what, 'GRANTS')) {
    // One's own grants are metadata; another account's need admin.
    const f = findWord(tokens, i, 'FOR');
    if (f < 0) return read;
    const rest = tokens.slice(f + 1);
    return isWord(rest[0], 'CURRENT_USER') && rest.length <= 3 ? read : admin;
  }
  if (isWord(what, 'PROCEDURE', 'FUNCTION') && isWord(tokens[i + 1], 'CODE')) {
    const name = readName(tokens, i + 2);
    if (name) c.add(name.schema, name.name, 'read');
    return read;
  }
  if (ADMIN_SHOW.has(what!.value)) return admin;
  if (PLAIN.has(what!.value)) return read;
  return admin;
}
