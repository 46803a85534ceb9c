import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementShape } from './statement-shape.js';

const M = '\u0001';

test('values compared, computed or listed share a shape', () => {
  const a = statementShape('SELECT abalance FROM pgbench_accounts WHERE aid = 17;');
  assert.equal(a, `SELECT abalance FROM pgbench_accounts WHERE aid = ${M};`);
  assert.equal(statementShape('SELECT abalance FROM pgbench_accounts WHERE aid = 424242;'), a);
  assert.equal(
    statementShape('UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 5;'),
    `UPDATE pgbench_accounts SET abalance = abalance + -${M} WHERE aid = ${M};`,
  );
  assert.equal(
    statementShape("INSERT INTO h (tid, bid, delta, mtime) VALUES (1, 2, 3.5e2, CURRENT_TIMESTAMP)"),
    `INSERT INTO h (tid, bid, delta, mtime) VALUES (${M}, ${M}, ${M}, CURRENT_TIMESTAMP)`,
  );
  assert.equal(statementShape('delete from t where x >= .5 and y <> 3'), `delete from t where x >= ${M} and y <> ${M}`);
});

test('numbers that are names, options or counts stay, and so do digits inside names, strings and identifiers', () => {
  for (const sql of [
    'SELECT * FROM t LIMIT 5',
    'SELECT * FROM t ORDER BY 1',
    'SELECT * FROM t1 WHERE "col 2" = x',
    "SELECT * FROM t WHERE s = '5'",
    'SELECT $1::int',
  ]) {
    assert.equal(statementShape(sql), sql, sql);
  }
});

test('anything outside the narrow rules has no shape', () => {
  for (const sql of [
    'EXPLAIN (ANALYZE 1) DELETE FROM t WHERE a = 1',
    'WITH d AS (DELETE FROM t WHERE a = 1 RETURNING *) SELECT * FROM d',
    'SET statement_timeout = 5',
    'SELECT 1; DELETE FROM t WHERE a = 2',
    "SELECT E'\\'' = 1",
    'SELECT $q$ 1 $q$ = 1',
    'SELECT 0x1F = 1',
    `SELECT a = ${M}`,
    "SELECT 'unterminated = 1",
    'SELECT /* unterminated = 1',
    'SELECT a = 1 \\g',
    '',
    '   ',
  ]) {
    assert.equal(statementShape(sql), null, sql);
  }
});

test('comments and a trailing semicolon are allowed; nested comments are skipped whole', () => {
  assert.equal(statementShape('SELECT a FROM t WHERE b = 1; -- done\n'), `SELECT a FROM t WHERE b = ${M}; -- done\n`);
  assert.equal(statementShape('SELECT /* a /* nested = 1 */ */ b FROM t WHERE c = 2'), `SELECT /* a /* nested = 1 */ */ b FROM t WHERE c = ${M}`);
});

test('MySQL: digits inside backtick names stay, so two tables never share a decision', () => {
  // Read as PostgreSQL, `t,1` would be an operator, a word, a comma and a value 1.
  const one = statementShape('SELECT * FROM `t,1` WHERE a = 5', 'mysql');
  const two = statementShape('SELECT * FROM `t,2` WHERE a = 5', 'mysql');
  assert.equal(one, `SELECT * FROM \`t,1\` WHERE a = ${M}`);
  assert.equal(two, `SELECT * FROM \`t,2\` WHERE a = ${M}`);
  assert.equal(statementShape('SELECT `a``(1` FROM t WHERE b = 2', 'mysql'), `SELECT \`a\`\`(1\` FROM t WHERE b = ${M}`);
  assert.equal(statementShape('SELECT * FROM `unterminated WHERE a = 1', 'mysql'), null);
});

test('MySQL: a backslash escapes a quote inside a string, and # starts a comment', () => {
  // The string is 'x\' , 1': the 1 is in it, and it stays; the value after = is shaped.
  assert.equal(statementShape("SELECT * FROM t WHERE s = 'x\\' , 1' AND n = 7", 'mysql'), `SELECT * FROM t WHERE s = 'x\\' , 1' AND n = ${M}`);
  assert.equal(statementShape('SELECT * FROM t WHERE s = "a\\" (1" AND n = 7', 'mysql'), `SELECT * FROM t WHERE s = "a\\" (1" AND n = ${M}`);
  // An even run of backslashes escapes itself: the quote ends the string.
  assert.equal(statementShape("SELECT * FROM t WHERE s = 'x\\\\' AND n = 7", 'mysql'), `SELECT * FROM t WHERE s = 'x\\\\' AND n = ${M}`);
  assert.equal(statementShape("SELECT * FROM t WHERE s = 'it''s' AND n = 7", 'mysql'), `SELECT * FROM t WHERE s = 'it''s' AND n = ${M}`);
  assert.equal(statementShape('SELECT a FROM t WHERE b = 1 # (2\n', 'mysql'), `SELECT a FROM t WHERE b = ${M} # (2\n`);
  assert.equal(statementShape("SELECT * FROM t WHERE s = 'x\\'", 'mysql'), null, 'unterminated');
});

test('PostgreSQL keeps its own rules: a backslash is an ordinary character in a string', () => {
  assert.equal(statementShape("SELECT * FROM t WHERE s = 'x\\' AND n = 7"), `SELECT * FROM t WHERE s = 'x\\' AND n = ${M}`);
});
