import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORDS } from '../support/gateway.js';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { addMember, removeMember } from '../../src/control/groups.js';
import { membershipAdd, parseInput } from '../../src/control/inputs.js';
import { startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

describe('MySQL gateway in front of MariaDB', () => {
  let gw: TestMysqlGateway;
  before(async () => {
    gw = await startTestMysqlGateway();
  });
  after(async () => gw?.close());

  it('lets the real mysql client in with a password, and runs what the grant allows', async () => {
    const r = await gw.mysqlCli('alice', PASSWORDS.alice, ['-N', '-e', 'SELECT name FROM customers ORDER BY id']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Ada\nGrace\n');
  });

  it('denies a write to a reader with 1142 / 42000 naming what is missing, and records both', async () => {
    const r = await gw.mysqlCli('alice', PASSWORDS.alice, ['-e', "UPDATE customers SET name = 'x' WHERE id = 1"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ERROR 1142 \(42000\).*write on gh_[0-9a-f]+\.customers is not granted to alice/);
    const direct = await gw.direct();
    const [rows] = await direct.query(`SELECT name FROM ${gw.database}.customers WHERE id = 1`);
    await direct.end();
    assert.deepEqual(rows, [{ name: 'Ada' }], 'the update did not run');
    const queries = (await gw.events('db.query')).filter((e) => e.actor.name === 'alice');
    assert.ok(queries.some((e) => e.decision.allow === false && e.target.statements[0].class === 'write'));
    assert.ok(queries.some((e) => e.decision.allow === true && e.target.statements[0].class === 'read'));
  });

  it('refuses a wrong password and an unknown user alike (1045), and records why', async () => {
    const wrong = await gw.mysqlCli('alice', 'not-her-password', ['-e', 'SELECT 1']);
    const unknown = await gw.mysqlCli('mallory', 'whatever-password', ['-e', 'SELECT 1']);
    for (const r of [wrong, unknown]) assert.match(r.stderr, /ERROR 1045 \(28000\): Access denied for user/);
    const failed = await gw.events('auth.login_failed');
    assert.deepEqual(failed.slice(-2).map((e) => e.outcome.reason), ['wrong_password', 'unknown_user']);
  });

  it('accepts an access token as the password', async () => {
    const r = await gw.mysqlCli('alice', gw.aliceToken, ['-N', '-e', 'SELECT COUNT(*) FROM orders']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '5\n');
    const logins = await gw.events('auth.login');
    assert.equal(logins.at(-1).outcome.via, 'token');
  });

  it('relays mysql2 text queries, prepared statements with parameters, transactions and multi-results', async () => {
    const bob = await gw.client('bob', { multipleStatements: true });
    try {
      const [rows] = await bob.query('SELECT id, name FROM customers ORDER BY id');
      assert.deepEqual(rows, [{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }]);
      const [found] = await bob.execute('SELECT amount FROM orders WHERE customer = ? AND amount > ? ORDER BY id', [1, 1]);
      assert.deepEqual(found, [{ amount: '3.00' }, { amount: '5.00' }]);
      await bob.beginTransaction();
      await bob.execute('INSERT INTO orders (customer, amount) VALUES (?, ?)', [2, 99.5]);
      await bob.rollback();
      const [count] = await bob.query('SELECT COUNT(*) AS n FROM orders');
      assert.deepEqual(count, [{ n: 5 }], 'the rolled-back insert is gone');
      const [multi] = (await bob.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as [unknown[][]];
      assert.deepEqual(multi, [[{ a: 1 }], [{ b: 2 }]]);
      await assert.rejects(bob.query('DELETE FROM orders'), (e: Error & { errno?: number }) => e.errno === 1142 && /UPDATE or DELETE without a WHERE|no.?where|WHERE/i.test(e.message));
    } finally {
      await bob.end();
    }
    const executes = (await gw.events('db.query')).filter((e) => e.context.protocol === 'prepared' && e.actor.name === 'bob');
    assert.equal(executes.length, 2);
  });

  it('lets a user in no group log in but run nothing on the data', async () => {
    const carol = await gw.client('carol');
    await assert.rejects(carol.query('SELECT * FROM customers'), (e: Error & { errno?: number }) => e.errno === 1142);
    await carol.end();
  });

  it('decides executes again: a prepared statement stops running once the membership behind it is gone', async () => {
    const alice = await gw.client('alice');
    try {
      const [first] = await alice.execute('SELECT name FROM customers WHERE id = ?', [2]);
      assert.deepEqual(first, [{ name: 'Grace' }]);
      await removeMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', 'alice');
      await assert.rejects(alice.execute('SELECT name FROM customers WHERE id = ?', [2]), (e: Error & { errno?: number }) => e.errno === 1142);
    } finally {
      await alice.end();
      await addMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', parseInput(membershipAdd, { principal: 'alice' }));
    }
  });

  it('refuses what hides a statement from it: SQL-level EXECUTE, PREPARE FROM @var, an executable comment', async () => {
    const bob = await gw.client('bob');
    try {
      for (const sql of ['PREPARE s FROM @q', "/*!50000 DELETE FROM customers */"]) {
        await assert.rejects(bob.query(sql), (e: Error & { errno?: number }) => e.errno === 1142, sql);
      }
      await assert.rejects(bob.query({ sql: 'EXECUTE nosuch' }), (e: Error & { errno?: number }) => e.errno === 1142);
    } finally {
      await bob.end();
    }
  });
});
