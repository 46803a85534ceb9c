import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { FailureThrottle } from '../../src/api/throttle.js';
import { addMember, createGroup } from '../../src/control/groups.js';
import { createConnection } from '../../src/control/connections.js';
import { createGrant } from '../../src/control/grants.js';
import { connectionCreate, grantCreate, groupCreate, membershipAdd, parseInput } from '../../src/control/inputs.js';
import { PASSWORDS } from '../support/gateway.js';
import { mysqlTarget } from '../support/mysql-client.js';
import { MYSQL_CONNECTION, startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

type MysqlError = Error & { errno?: number; sqlState?: string };
const errno = (code: number) => (e: MysqlError) => e.errno === code;

/** Resolves when the client's connection is gone (mysql2 emits 'end' or 'error'), rejects after a while. */
function closed(conn: mysql.Connection): Promise<void> {
  const inner = (conn as unknown as { connection: { stream: { destroyed: boolean; once(e: string, f: () => void): void } } }).connection.stream;
  if (inner.destroyed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the gateway kept the connection open')), 3000);
    inner.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('MySQL gateway: COM_CHANGE_USER (mysql2 changeUser against MariaDB)', () => {
  let gw: TestMysqlGateway;
  const other = 'mytest-other';
  before(async () => {
    gw = await startTestMysqlGateway();
    const { cp } = gw.api;
    // bob may also create (temporary) tables, to show they do not outlive his session.
    await createGroup(cp, SYSTEM_ACTOR, parseInput(groupCreate, { name: 'builders', description: 'ddl on the sample database' }));
    await addMember(cp, SYSTEM_ACTOR, 'builders', parseInput(membershipAdd, { principal: 'bob' }));
    await createGrant(cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'builders', on: { connection: MYSQL_CONNECTION }, privileges: ['ddl'], objects: [`${gw.database}.*`], reason: 'test' }));
    // A second connection to the same server, on its `mysql` database, where bob may only read.
    const target = mysqlTarget();
    await createConnection(cp, SYSTEM_ACTOR, parseInput(connectionCreate, { name: other, engine: 'mysql', host: target.host, port: target.port, database: 'mysql', username: target.user, tls_mode: 'disable' }));
    await createGrant(cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'builders', on: { connection: other }, privileges: ['read'], objects: ['mysql.help_topic'], reason: 'test' }));
  });
  after(async () => gw?.close());

  const sessionOf = (name: string) => gw.api.sessions.list().filter((s) => s.principal.name === name && s.engine === 'mysql');

  it('switches the grants: a write alice is denied works for bob, and is denied again after changing back', async () => {
    const conn = await gw.client('alice');
    try {
      const insert = 'INSERT INTO orders (customer, amount) VALUES (1, 42)';
      await assert.rejects(conn.query(insert), errno(1142));
      const [aliceSession] = sessionOf('alice');
      assert.ok(aliceSession);

      await conn.changeUser({ user: 'bob', password: PASSWORDS.bob, database: MYSQL_CONNECTION });
      const [result] = (await conn.query(insert)) as unknown as [{ affectedRows: number }];
      assert.equal(result.affectedRows, 1);
      const [bobSession] = sessionOf('bob');
      assert.ok(bobSession, 'the registry shows bob');
      assert.notEqual(bobSession.id, aliceSession.id);
      assert.equal(sessionOf('alice').length, 0, "alice's session ended");
      assert.equal(bobSession.statements, 1);

      await conn.changeUser({ user: 'alice', password: PASSWORDS.alice, database: MYSQL_CONNECTION });
      await assert.rejects(conn.query(insert), errno(1142));
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM orders WHERE amount = 42');
      assert.deepEqual(rows, [{ n: 1 }], 'alice still reads');

      // The ledger tells the story: alice's session ends, bob logs in naming it, and so on.
      const events = await gw.events();
      const end = events.find((e) => e.action === 'db.session.end' && e.context.session === aliceSession.id);
      assert.match(end.outcome.reason, /changed user \(COM_CHANGE_USER\) to bob/);
      const login = events.find((e) => e.action === 'auth.login' && e.context.session === bobSession.id);
      assert.equal(login.actor.name, 'bob');
      assert.equal(login.context.previous_session, aliceSession.id);
      assert.equal(login.outcome.via, 'password');
      assert.ok(events.indexOf(end) < events.indexOf(login), 'the end comes first');
      const bobQuery = events.find((e) => e.action === 'db.query' && e.context.session === bobSession.id);
      assert.equal(bobQuery.actor.name, 'bob');
      assert.equal(bobQuery.decision.allow, true);
    } finally {
      await conn.end();
      const direct = await gw.direct();
      await direct.query(`DELETE FROM ${gw.database}.orders WHERE amount = 42`);
      await direct.end();
    }
  });

  it("leaves nothing of the previous user's server state: user variables, temporary tables, an open transaction, prepared statements", async () => {
    const conn = await gw.client('bob');
    try {
      await conn.query("SET @secret = 'bob-only'");
      await conn.query('CREATE TEMPORARY TABLE scratch (v varchar(20))');
      await conn.query("INSERT INTO scratch VALUES ('bob-only')");
      const stmt = await conn.prepare('SELECT name FROM customers WHERE id = ?');
      const [before] = await stmt.execute([1]);
      assert.deepEqual(before, [{ name: 'Ada' }]);
      await conn.beginTransaction();
      await conn.query("UPDATE customers SET name = 'changed by bob' WHERE id = 1");
      const [[seen]] = (await conn.query('SELECT @secret AS v')) as unknown as [[{ v: string }]];
      assert.equal(seen.v, 'bob-only', 'the state is there before the change');

      await conn.changeUser({ user: 'alice', password: PASSWORDS.alice, database: MYSQL_CONNECTION });
      const [vars] = await conn.query('SELECT @secret AS v');
      assert.deepEqual(vars, [{ v: null }], 'the user variable is gone');
      await assert.rejects(conn.query('SELECT v FROM scratch'), errno(1146), 'the temporary table is gone');
      await assert.rejects(stmt.execute([1]), errno(1243), 'the prepared statement is gone');
      const [names] = await conn.query('SELECT name FROM customers WHERE id = 1');
      assert.deepEqual(names, [{ name: 'Ada' }], "bob's open transaction was rolled back");
    } finally {
      await conn.end();
    }
    const direct = await gw.direct();
    const [rows] = await direct.query(`SELECT name FROM ${gw.database}.customers WHERE id = 1`);
    await direct.end();
    assert.deepEqual(rows, [{ name: 'Ada' }]);
  });

  it('closes the connection after a wrong password (1045) and records auth.login_failed with the session it ended', async () => {
    const conn = await gw.client('alice');
    const [aliceSession] = sessionOf('alice');
    const gone = closed(conn);
    await assert.rejects(conn.changeUser({ user: 'bob', password: 'not-bobs-password', database: MYSQL_CONNECTION }), (e: MysqlError) => {
      assert.equal(e.errno, 1045);
      assert.equal(e.sqlState, '28000');
      assert.match(e.message, /Access denied for user 'bob'/);
      return true;
    });
    await gone;
    const failed = (await gw.events('auth.login_failed')).at(-1);
    assert.equal(failed.actor.name, 'bob');
    assert.equal(failed.outcome.reason, 'wrong_password');
    assert.equal(failed.context.previous_session, aliceSession!.id);
    assert.equal(sessionOf('alice').length + sessionOf('bob').length, 0, 'no session is left');
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const conn = await gw.client('alice');
    const gone = closed(conn);
    await assert.rejects(conn.changeUser({ user: 'mallory', password: 'whatever-password', database: MYSQL_CONNECTION }), errno(1045));
    await gone;
    assert.equal((await gw.events('auth.login_failed')).at(-1).outcome.reason, 'unknown_user');
  });

  it('moves to another connection when the database names one, and refuses an unknown one (1049) by closing', async () => {
    const conn = await gw.client('alice');
    try {
      await conn.changeUser({ user: 'bob', password: PASSWORDS.bob, database: other });
      const [bob] = sessionOf('bob');
      assert.equal(bob?.connection.name, other);
      // The policy is the other connection's: bob reads help_topic there, and writes nothing.
      const [db] = await conn.query('SELECT DATABASE() AS d, COUNT(*) > 0 AS topics FROM help_topic');
      assert.deepEqual(db, [{ d: 'mysql', topics: 1 }], "the upstream is the other connection's");
      await assert.rejects(conn.query('DELETE FROM help_topic WHERE help_topic_id = -1'), errno(1142));
      await assert.rejects(conn.query(`SELECT name FROM ${gw.database}.customers`), errno(1142));
      const gone = closed(conn);
      await assert.rejects(conn.changeUser({ user: 'bob', password: PASSWORDS.bob, database: 'no-such-connection' }), errno(1049));
      await gone;
    } finally {
      conn.destroy();
    }
    assert.equal((await gw.events('auth.login_failed')).at(-1).outcome.reason, 'unknown_connection');
  });

  it('accepts an access token as the new password', async () => {
    const conn = await gw.client('bob');
    try {
      await conn.changeUser({ user: 'alice', password: gw.aliceToken, database: MYSQL_CONNECTION });
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM customers');
      assert.deepEqual(rows, [{ n: 2 }]);
      assert.equal((await gw.events('auth.login')).at(-1).outcome.via, 'token');
    } finally {
      await conn.end();
    }
  });
});

describe('MySQL gateway: COM_CHANGE_USER is throttled like a login', () => {
  let gw: TestMysqlGateway;
  before(async () => {
    gw = await startTestMysqlGateway({ gateway: { throttle: new FailureThrottle(2) } });
  });
  after(async () => gw?.close());

  it('refuses even the right password once the address has failed too often, and records throttled', async () => {
    const waiting = await gw.client('alice'); // logged in before the failures
    for (let i = 0; i < 2; i++) {
      const conn = await gw.client('alice');
      await assert.rejects(conn.changeUser({ user: 'bob', password: 'wrong-password', database: MYSQL_CONNECTION }), errno(1045));
      conn.destroy();
    }
    await assert.rejects(waiting.changeUser({ user: 'bob', password: PASSWORDS.bob, database: MYSQL_CONNECTION }), errno(1045));
    waiting.destroy();
    assert.deepEqual((await gw.events('auth.login_failed')).map((e) => e.outcome.reason), ['wrong_password', 'wrong_password', 'throttled']);
  });
});
