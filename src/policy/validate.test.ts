import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyInputError, validateDenyRule, validateGrant } from './index.js';

const good = { on: { tags: { env: 'prod' } }, privileges: ['read'], objects: ['sales.*'], expiresAt: null, reason: 'quarterly report' };

describe('validateGrant', () => {
  it('accepts a well-formed grant, by tag or by name, with or without expiry', () => {
    assert.deepEqual(validateGrant(good), []);
    assert.deepEqual(validateGrant({ on: { connection: 'orders-prod' }, privileges: ['read', 'write'], objects: ['*', '"my.schema".t'] }), []);
    assert.deepEqual(validateGrant({ ...good, expiresAt: '2026-06-30T00:00:00+02:00' }, { now: new Date('2026-03-01T00:00:00Z') }), []);
  });

  const bad: Array<[name: string, value: unknown, problems: Array<{ path: string; message: string }>]> = [
    ['not an object', 'read everything', [{ path: '', message: 'a grant must be an object with on, privileges and objects' }]],
    ['empty privileges', { ...good, privileges: [] }, [{ path: 'privileges', message: 'list at least one privilege: read, write, ddl, admin' }]],
    ['unknown privilege', { ...good, privileges: ['read', 'select'] }, [{ path: 'privileges[1]', message: 'unknown privilege "select"; use one of read, write, ddl, admin' }]],
    ['privilege listed twice', { ...good, privileges: ['read', 'read'] }, [{ path: 'privileges[1]', message: 'read is listed twice' }]],
    ['privilege in the wrong case', { ...good, privileges: ['READ'] }, [{ path: 'privileges[0]', message: 'unknown privilege "READ"; use one of read, write, ddl, admin' }]],
    ['no objects', { ...good, objects: [] }, [{ path: 'objects', message: 'list at least one schema.table pattern, e.g. ["sales.*"]; ["*.*"] means every table' }]],
    ['pattern without a dot', { ...good, objects: ['sales.*', 'sales'] },
      [{ path: 'objects[1]', message: '"sales" is not a valid object pattern: it has no dot; write schema.table, e.g. sales.* for every table in schema sales' }]],
    ['pattern that is not a string', { ...good, objects: [7] }, [{ path: 'objects[0]', message: 'an object pattern must be a string such as sales.* or public.orders' }]],
    ['empty tag selector', { ...good, on: { tags: {} } }, [{ path: 'on.tags', message: 'list at least one tag; an empty tag selector would match nothing' }]],
    ['both selectors', { ...good, on: { connection: 'x', tags: { env: 'prod' } } },
      [{ path: 'on', message: 'give either {"connection": "<name>"} or {"tags": {"env": "prod"}}, not both' }]],
    ['no selector', { ...good, on: {} }, [{ path: 'on', message: 'give either {"connection": "<name>"} or {"tags": {"env": "prod"}}, not neither' }]],
    ['empty connection name', { ...good, on: { connection: '' } }, [{ path: 'on.connection', message: 'the connection name must be a non-empty string' }]],
    ['non-string tag value', { ...good, on: { tags: { env: 1 } } }, [{ path: 'on.tags', message: 'tag "env" needs a non-empty name and a string value' }]],
    ['unreadable expiry', { ...good, expiresAt: 'next friday' },
      [{ path: 'expiresAt', message: 'expiresAt must be an ISO 8601 instant with a zone, e.g. 2026-01-01T00:00:00Z, or null' }]],
    ['expiry without a zone', { ...good, expiresAt: '2026-06-30T00:00:00' },
      [{ path: 'expiresAt', message: 'expiresAt must be an ISO 8601 instant with a zone, e.g. 2026-01-01T00:00:00Z, or null' }]],
    ['bad reason', { ...good, reason: 5 }, [{ path: 'reason', message: 'reason must be a string or null' }]],
  ];
  for (const [name, value, problems] of bad) {
    it(`refuses ${name}`, () => assert.deepEqual(validateGrant(value), problems));
  }

  it('refuses an expiry that is not in the future when told the time', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    assert.deepEqual(validateGrant({ ...good, expiresAt: '2026-03-01T00:00:00Z' }, { now }), [
      { path: 'expiresAt', message: 'expiresAt 2026-03-01T00:00:00Z is not in the future; the grant would never count' },
    ]);
  });

  it('reports every problem at once, and renders as a problem document', () => {
    const problems = validateGrant({ on: { tags: {} }, privileges: ['sudo'], objects: ['sales'] });
    assert.equal(problems.length, 3);
    const error = new PolicyInputError(problems);
    assert.equal(error.message, 'on.tags: list at least one tag; an empty tag selector would match nothing (and 2 more)');
    const body = error.toProblem();
    assert.equal(body.status, 400);
    assert.deepEqual(body.errors, problems);
  });
});

describe('validateDenyRule', () => {
  const rule = { name: 'no-where-in-prod', on: { tags: { env: 'prod' } }, match: { kind: 'no_where' }, reason: null };

  it('accepts each kind of match', () => {
    assert.deepEqual(validateDenyRule(rule), []);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'drop_truncate' } }), []);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'classes', classes: ['ddl', 'admin'] } }), []);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'flags', flags: ['copy_program', 'dynamic_code'] } }), []);
  });

  it('refuses what it cannot apply', () => {
    assert.deepEqual(validateDenyRule({ ...rule, name: ' ' }), [{ path: 'name', message: 'a deny rule needs a name; denials quote it' }]);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'sometimes' } }), [
      { path: 'match.kind', message: 'match.kind must be one of no_where, drop_truncate, classes, flags' },
    ]);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'classes', classes: [] } }), [
      { path: 'match.classes', message: 'list at least one statement class: read, write, ddl, admin, transaction, session, utility' },
    ]);
    assert.deepEqual(validateDenyRule({ ...rule, match: { kind: 'flags', flags: ['no_where', 'nowhere'] } }), [
      { path: 'match.flags[1]', message: `unknown flag "nowhere"; use one of no_where, drop, truncate, writing_cte, select_into, copy_program, copy_file, server_file, dynamic_code, role_change, side_effect_function, explain_analyze, system_catalog` },
    ]);
    assert.deepEqual(validateDenyRule({ ...rule, on: { tags: {} } }), [
      { path: 'on.tags', message: 'list at least one tag; an empty tag selector would match nothing' },
    ]);
  });
});
