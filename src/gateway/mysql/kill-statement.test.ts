import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killQueryTarget } from './kill-statement.js';

test('KILL QUERY <id> names the connection to cancel; nothing else does', () => {
  assert.equal(killQueryTarget('KILL QUERY 42'), 42);
  assert.equal(killQueryTarget('  kill   query 7 ; '), 7);
  assert.equal(killQueryTarget('KILL QUERY 4294967295'), 4294967295);
  for (const text of ['KILL 42', 'KILL CONNECTION 42', 'KILL QUERY 42; DROP TABLE t', 'KILL QUERY @x', 'KILL QUERY 4294967296', 'KILL QUERY /* c */ 42', 'SELECT 1']) {
    assert.equal(killQueryTarget(text), undefined, text);
  }
});
