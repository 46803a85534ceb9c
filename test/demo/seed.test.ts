import { after, before, describe, it } from 'node:test';
import { mysqlVerifiers } from '../../src/identity/mysql-verifiers.js';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../support/api.js';
import { DEMO_CONNECTION, DEMO_DENY_RULE, DEMO_STATEMENTS, seedDemo, type DemoSeed } from '../../src/demo/seed.js';
import { decide } from '../../src/control/decide.js';
import { authenticateToken } from '../../src/control/tokens.js';
import { deleteDenyRule } from '../../src/control/grants.js';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { verifyPassword } from '../../src/identity/password.js';
import { storeSource, verifyLog } from '../../src/ledger/index.js';

const UPSTREAM = { host: '127.0.0.1', port: 54321, user: 'postgres', database: 'postgres' };

/** The seed through the real control plane on a real SQLite store, read back through the policy engine and the API. */
describe('demo seed', () => {
  let api: TestApi;
  let first: DemoSeed;
  let sizeBefore: number;

  before(async () => {
    api = await startTestApi('sqlite');
    sizeBefore = api.cp.ledger.size;
    first = await seedDemo(api.cp, UPSTREAM);
  });
  after(async () => api.close());

  const allowed = async (user: string, sql: string) => (await decide(api.cp, user, DEMO_CONNECTION, sql)).decision;

  it('records every identity, group, grant, rule and token as an admin event by the system actor', async () => {
    assert.equal(first.created, true);
    const rows = await api.opened.repo.entries(sizeBefore, 1000);
    const events = rows.map((r) => JSON.parse(r.entry.toString('utf8')));
    const count = (action: string) => events.filter((e) => e.action === action).length;
    assert.deepEqual(
      {
        users: count('admin.user.create'),
        groups: count('admin.group.create'),
        memberships: count('admin.membership.add'),
        connections: count('admin.connection.create'),
        grants: count('admin.grant.create'),
        rules: count('admin.deny_rule.create'),
        tokens: count('admin.token.create'),
      },
      { users: 4, groups: 3, memberships: 3, connections: 1, grants: 3, rules: 1, tokens: 2 },
    );
    assert.equal(events.length, 17, 'nothing else');
    assert.ok(events.every((e) => e.actor.id === 'system' && e.actor.kind === 'system'));
    assert.equal((await verifyLog(storeSource(api.opened.repo, 'the test store'))).ok, true);
  });

  it('points the connection at the upstream, without password or TLS, tagged env=demo', async () => {
    const c = (await api.cp.connections.get(DEMO_CONNECTION))!;
    assert.deepEqual(
      { engine: c.engine, host: c.host, port: c.port, database: c.database, username: c.username, tls: c.tls_mode, pw: c.has_password, tags: c.tags },
      { engine: 'postgres', host: '127.0.0.1', port: 54321, database: 'postgres', username: 'postgres', tls: 'disable', pw: false, tags: { env: 'demo' } },
    );
  });

  it('gives alice read on sales only: the allowed example is allowed, the denied one denied', async () => {
    const yes = await allowed('alice', DEMO_STATEMENTS.allowed);
    assert.equal(yes.allow, true);
    const no = await allowed('alice', DEMO_STATEMENTS.denied);
    assert.equal(no.allow, false);
    assert.equal(!no.allow && no.denial.code, 'missing_privilege');
    assert.equal((await allowed('alice', 'SELECT * FROM staging.customer_import')).allow, false);
    assert.equal((await allowed('alice', 'SELECT salary FROM hr.employees')).allow, false);
  });

  it('gives bob read and write on staging and read on sales; the deny rule stops DROP and TRUNCATE', async () => {
    assert.equal((await allowed('bob', "UPDATE staging.customer_import SET status = 'merged' WHERE id = 2")).allow, true);
    assert.equal((await allowed('bob', "INSERT INTO staging.price_changes VALUES (9, 'TEA-001', 1, 2, 'proposed')")).allow, true);
    assert.equal((await allowed('bob', 'SELECT * FROM sales.orders')).allow, true);
    assert.equal((await allowed('bob', 'DELETE FROM sales.orders WHERE id = 1001')).allow, false);
    assert.equal((await allowed('bob', 'SELECT * FROM hr.employees')).allow, false);
    for (const sql of ['DROP TABLE staging.price_changes', 'TRUNCATE staging.customer_import']) {
      const d = await allowed('bob', sql);
      assert.equal(d.allow, false, sql);
      assert.equal(!d.allow && d.denial.code, 'deny_rule', sql);
      assert.match(!d.allow ? d.denial.message : '', new RegExp(DEMO_DENY_RULE));
    }
  });

  it('gives carol (auditor) no database access but the API read role', async () => {
    const d = await allowed('carol', DEMO_STATEMENTS.allowed);
    assert.equal(!d.allow && d.denial.code, 'no_grant');
    assert.equal((await api.call(first.auditorToken, 'GET', '/grants')).status, 200);
    const write = await api.call(first.auditorToken, 'POST', '/groups', { name: 'x', description: 'y' });
    assert.equal(write.status, 403);
  });

  it('hands out a working admin token and demo passwords that the store verifies', async () => {
    const users = await api.call(first.adminToken, 'GET', '/users');
    assert.equal(users.status, 200);
    const names = (users.body.items ?? users.body).map((u: { name: string }) => u.name);
    for (const n of ['admin', 'alice', 'bob', 'carol']) assert.ok(names.includes(n), n);
    assert.equal((await authenticateToken(api.cp, first.adminToken))?.role, 'admin');
    assert.notEqual(first.passwords.alice, first.passwords.bob);
    for (const [name, password] of Object.entries(first.passwords)) {
      assert.match(password, /^demo-[A-Za-z0-9_-]{12}$/);
      const p = (await api.cp.identity.principal(name, api.cp.now()))!;
      const secrets = (await api.cp.identity.secrets(p.id))!;
      assert.equal(await verifyPassword(password, secrets.password_hash!), true, name);
      assert.notEqual(secrets.scram_stored_key, null, `${name} can log in to the gateway with SCRAM`);
      const mysql = mysqlVerifiers(password);
      assert.deepEqual([secrets.mysql_native_hash, secrets.mysql_sha2_hash], [mysql.native, mysql.sha2], `${name} can log in over MySQL`);
    }
  });

  it('seeds again idempotently: new port and credentials, old tokens revoked, missing parts remade, nothing doubled', async () => {
    await deleteDenyRule(api.cp, SYSTEM_ACTOR, DEMO_DENY_RULE);
    const grantsBefore = (await api.cp.policy.grants()).length;
    const second = await seedDemo(api.cp, { ...UPSTREAM, port: 54999 });
    assert.equal(second.created, false);
    assert.equal((await api.cp.connections.get(DEMO_CONNECTION))!.port, 54999);
    assert.equal((await api.cp.policy.grants()).length, grantsBefore);
    assert.equal((await api.cp.identity.groups()).length, 3);
    assert.ok((await api.cp.policy.denyRules()).some((r) => r.name === DEMO_DENY_RULE), 'the deleted rule is back');
    assert.equal(await authenticateToken(api.cp, first.adminToken), null, 'the old demo token is revoked');
    assert.equal(await authenticateToken(api.cp, first.auditorToken), null);
    assert.equal((await authenticateToken(api.cp, second.adminToken))?.name, 'admin');
    const alice = (await api.cp.identity.principal('alice', api.cp.now()))!;
    const hash = (await api.cp.identity.secrets(alice.id))!.password_hash!;
    assert.equal(await verifyPassword(second.passwords.alice, hash), true);
    assert.equal(await verifyPassword(first.passwords.alice, hash), false);
    assert.equal((await allowed('bob', 'DROP TABLE staging.price_changes')).allow, false);
  });
});
