import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mysqlVerifiers } from './mysql-verifiers.js';

// Expected values from MariaDB 10.11 itself: PASSWORD(s) is '*' + hex(SHA1(SHA1(s))), and
// SHA2(UNHEX(SHA2(s, 256)), 256) is SHA256(SHA256(s)) (the client sent UTF-8).
test('verifiers are the ones MySQL and MariaDB compute for the same secret', () => {
  const plain = mysqlVerifiers('password');
  assert.equal(plain.native.toString('hex').toUpperCase(), '2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  assert.equal(plain.sha2.toString('hex'), '73641c99f7719f57d8f4beb11a303afcd190243a51ced8782ca6d3dbe014d146');
  const unicode = mysqlVerifiers('pässwörd ✓');
  assert.equal(unicode.native.toString('hex').toUpperCase(), '8605170CA827CE96DEEF214B7293357309C333B3');
});
