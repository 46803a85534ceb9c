// SET (MySQL manual, "SET Syntax for Variable Assignment", "SET NAMES", "SET TRANSACTION").
// Session settings need nothing, except the few that would let a session hide from the
// audit trail, act as another server, or change how the text of later statements is lexed
// (which the classifier must keep reading the way the server does). Global and persisted
// settings are the server's: admin. Expressions assigned are parsed and walked, so a
// subquery in `SET @x = (SELECT …)` is a read like any other.
import type { Collector } from './collector.js';
import type { Token } from './lexer.js';
import { classifyTokens, parseTokens, type Context, type Outcome, type Result } from './statements.js';
import { findWord, isOp, isWord, splitCommas, StatementError } from './tokens.js';
import { walk } from './walk.js';

/** Session settings that need admin: replication and logging controls, debugging. */
const GUARDED = /^(sql_log_bin|sql_log_off|log_.*|general_log.*|slow_query_log.*|binlog_.*|gtid_.*|pseudo_.*|original_.*|rbr_exec_mode|skip_replication|wsrep_.*|debug|debug_sync|sql_slave_skip_counter|server_id|default_role|audit_log_.*|innodb_.*)$/;

/**
 * Character sets in which a multi-byte character can end in the byte of `\` or `'` (the
 * GBK/SJIS escaping attacks): under them the server would lex the text differently.
 */
const SAFE_CHARSETS = /^(utf8|utf8mb3|utf8mb4|latin1|latin2|ascii|binary|ucs2|utf16|utf16le|utf32|cp1250|cp1251|cp1252|default)$/i;

const valueText = (tokens: readonly Token[]): string | undefined => {
  if (tokens.length !== 1) return undefined;
  const t = tokens[0]!;
  return t.kind === 'string' ? t.value : t.kind === 'word' || t.kind === 'ident' ? t.text : undefined;
};

/**
 * The literal of `CONCAT(@@sql_mode, '…')`, which adds modes to the session's own (MariaDB
 * Connector/J sends `sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES')` at every connect).
 * The session's modes already lex as the classifier reads (changing that takes admin), so only
 * the added literal matters. The global value is not the session's: `@@global.` is not taken.
 */
function appendedMode(value: readonly Token[]): string | undefined {
  const [fn, open, current, comma, literal, close] = value;
  if (value.length !== 6 || !isWord(fn, 'CONCAT') || !isOp(open, '(') || !isOp(comma, ',') || !isOp(close, ')')) return undefined;
  if (current?.kind !== 'var' || !/^@@((session|local)\.)?sql_mode$/i.test(current.text)) return undefined;
  return literal?.kind === 'string' ? literal.value : undefined;
}

/**
 * sql_mode values a session may set: the modes that change what is allowed or how values are
 * checked, not how text is lexed or parsed. Anything else needs admin (fail closed): besides
 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES themselves, the combination modes POSTGRESQL, DB2, MAXDB,
 * MSSQL and ORACLE turn ANSI_QUOTES on without naming it (MariaDB), and ORACLE changes the
 * grammar; PIPES_AS_CONCAT and IGNORE_SPACE change how the parser reads expressions and names.
 */
const SESSION_MODES = new Set([
  'ALLOW_INVALID_DATES', 'EMPTY_STRING_IS_NULL', 'ERROR_FOR_DIVISION_BY_ZERO', 'HIGH_NOT_PRECEDENCE',
  'NO_AUTO_CREATE_USER', 'NO_AUTO_VALUE_ON_ZERO', 'NO_DIR_IN_CREATE', 'NO_ENGINE_SUBSTITUTION',
  'NO_FIELD_OPTIONS', 'NO_KEY_OPTIONS', 'NO_TABLE_OPTIONS', 'NO_UNSIGNED_SUBTRACTION', 'NO_ZERO_DATE',
  'NO_ZERO_IN_DATE', 'ONLY_FULL_GROUP_BY', 'PAD_CHAR_TO_FULL_LENGTH', 'REAL_AS_FLOAT',
  'SIMULTANEOUS_ASSIGNMENT', 'STRICT_ALL_TABLES', 'STRICT_TRANS_TABLES', 'TIME_ROUND_FRACTIONAL',
  'TIME_TRUNCATE_FRACTIONAL', 'TRADITIONAL',
]);

/** Whether every mode of a comma-separated sql_mode list is one a session may set. */
const onlySessionModes = (list: string): boolean =>
  list.split(',').every((mode) => mode.trim() === '' || SESSION_MODES.has(mode.trim().toUpperCase()));

/** The need a session setting's value brings, for the settings whose value matters. */
function valueRule(name: string, value: readonly Token[]): 'admin' | null {
  const v = valueText(value);
  if (name === 'sql_mode') {
    // A mode that changes how later statements lex or parse would make the classifier misread them.
    const added = v ?? appendedMode(value);
    if (added === undefined) return 'admin';
    return onlySessionModes(added) ? null : 'admin';
  }
  if (name === 'character_set_client' || name === 'character_set_connection' || name === 'collation_connection') {
    if (v === undefined) return 'admin';
    const charset = name === 'collation_connection' ? v.split('_')[0]! : v;
    return SAFE_CHARSETS.test(charset) ? null : 'admin';
  }
  return null;
}

export function setStatement(tokens: Token[], c: Collector, ctx: Context): Outcome | Result {
  const second = tokens[1];
  if (isWord(second, 'PASSWORD', 'RESOURCE')) return { kind: 'SetPasswordStmt', class: 'admin', requires: 'admin' };
  if (isWord(second, 'ROLE') || (isWord(second, 'DEFAULT') && isWord(tokens[2], 'ROLE'))) {
    return { kind: 'SetRoleStmt', class: 'session', requires: 'admin', flags: ['role_change'] };
  }
  if (isWord(second, 'NAMES') || isWord(second, 'CHARSET') || (isWord(second, 'CHARACTER') && isWord(tokens[2], 'SET'))) {
    const at = isWord(second, 'CHARACTER') ? 3 : 2;
    const cs = valueText(tokens.slice(at, at + 1));
    return { kind: 'SetNamesStmt', class: 'session', requires: cs !== undefined && SAFE_CHARSETS.test(cs) ? null : 'admin' };
  }
  // SET [GLOBAL | SESSION | LOCAL] TRANSACTION …
  const scoped = isWord(second, 'GLOBAL', 'SESSION', 'LOCAL') ? 2 : 1;
  if (isWord(tokens[scoped], 'TRANSACTION')) {
    return { kind: 'SetTransactionStmt', class: 'session', requires: isWord(second, 'GLOBAL') ? 'admin' : null };
  }
  // MariaDB: SET STATEMENT var = value [, …] FOR statement.
  let assignments = tokens.slice(1);
  let inner: Result | undefined;
  if (isWord(second, 'STATEMENT')) {
    const f = findWord(tokens, 2, 'FOR');
    if (f < 0) throw new StatementError('SET STATEMENT … FOR statement');
    assignments = tokens.slice(2, f);
    inner = classifyTokens(tokens.slice(f + 1), ctx);
  }
  let requires: 'admin' | null = null;
  let global = false;
  let scope = 'SESSION';
  for (const part of splitCommas(assignments)) {
    let k = 0;
    if (isWord(part[0], 'GLOBAL', 'SESSION', 'LOCAL', 'PERSIST', 'PERSIST_ONLY')) {
      scope = part[0]!.value;
      k = 1;
    }
    const target = part[k];
    const eq = isOp(part[k + 1], '=') ? k + 2 : isOp(part[k + 1], ':') && isOp(part[k + 2], '=') ? k + 3 : -1;
    if (!target || eq < 0) throw new StatementError('SET variable = value expected');
    const value = part.slice(eq);
    if (value.length === 0) throw new StatementError('SET without a value');
    let name: string;
    let itemScope = scope;
    if (target.kind === 'var' && !target.text.startsWith('@@')) {
      name = ''; // a user variable: nothing to guard
    } else if (target.kind === 'var') {
      // @@x, @@session.x, @@global.x, @@persist.x, @@persist_only.x, @@local.x
      const parts = target.text.slice(2).toLowerCase().split('.');
      if (parts.length === 2) itemScope = parts[0]!.toUpperCase();
      else if (parts.length !== 1) throw new StatementError('unknown variable form');
      name = parts[parts.length - 1]!;
    } else if (target.kind === 'word' || target.kind === 'ident') {
      name = target.text.toLowerCase();
      if (isOp(part[k + 1], '.')) throw new StatementError('SET of a structured variable');
    } else {
      throw new StatementError('SET variable = value expected');
    }
    if (name !== '') {
      if (itemScope !== 'SESSION' && itemScope !== 'LOCAL') global = true;
      if (GUARDED.test(name) || valueRule(name, value) === 'admin') requires = 'admin';
    }
    // Values: one word (ON, OFF, DEFAULT, a name) needs no parsing; expressions are walked.
    if (!(value.length === 1 && value[0]!.kind !== 'op')) walk(parseTokens(value, c, 'SELECT '), c);
  }
  if (inner) {
    return { ...inner, kind: 'SetStatementStmt', requires: global ? 'admin' : requires ?? inner.requires };
  }
  // GLOBAL, PERSIST, PERSIST_ONLY change the server for everyone: administration.
  if (global) return { kind: 'SetStmt', class: 'admin', requires: 'admin' };
  return { kind: 'SetStmt', class: 'session', requires };
}
