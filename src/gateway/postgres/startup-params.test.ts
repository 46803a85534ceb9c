import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStartupParams, wantsReplication } from './startup-params.js';

test('only presentation settings reach the upstream; settings of privilege are dropped and named', () => {
  const params = new Map([
    ['user', 'alice'],
    ['database', 'orders'],
    ['application_name', 'psql'],
    ['client_encoding', 'UTF8'],
    ['datestyle', 'ISO, MDY'],
    ['options', '-c role=postgres'],
    ['role', 'postgres'],
    ['search_path', 'evil'],
    ['session_authorization', 'postgres'],
  ]);
  assert.deepEqual(splitStartupParams(params), {
    passed: { application_name: 'psql', client_encoding: 'UTF8', DateStyle: 'ISO, MDY' },
    dropped: ['options', 'role', 'search_path', 'session_authorization'],
  });
});

test('replication is asked for by any value but the false ones', () => {
  assert.equal(wantsReplication(new Map()), false);
  for (const v of ['false', 'off', '0', 'NO']) assert.equal(wantsReplication(new Map([['replication', v]])), false);
  for (const v of ['true', 'database', 'on', '1']) assert.equal(wantsReplication(new Map([['replication', v]])), true);
});
