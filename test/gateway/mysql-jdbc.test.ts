import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORDS } from '../support/test-policy.js';
import { jdbcClient, type JdbcClient, type JdbcLine, type JdbcStep } from '../support/jdbc.js';
import { MYSQL_CONNECTION, startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

/** A db.query record as the ledger keeps it, with the text and parameters from its payload. */
interface Recorded {
  allow: boolean;
  message?: string;
  protocol: string;
  classes: string[];
  sql: string;
  params?: unknown[];
}

/**
 * MariaDB Connector/J, a real JDBC driver, through the MySQL gateway: a Java program
 * (test/fixtures/jdbc/GatehouseJdbc.java) logs in with DriverManager and runs its steps on one
 * connection. Besides what the program sends, the driver sends statements of its own at connect;
 * those must be allowed and recorded like any other, or no JDBC program could log in.
 */
describe('MariaDB Connector/J (JDBC) through the MySQL gateway', () => {
  let gw: TestMysqlGateway;
  let jdbc: JdbcClient;
  /** What the driver sends by itself at connect, as the ledger recorded it (read once, in before). */
  let connectStatements: Recorded[];
  let connectLogin: any;

  const url = (scheme: 'mariadb' | 'mysql', options = '') =>
    // Connector/J 3 takes the jdbc:mysql: scheme only with permitMysqlScheme; 2.x ignores it.
    `jdbc:${scheme}://127.0.0.1:${gw.port}/${MYSQL_CONNECTION}?connectTimeout=10000&socketTimeout=30000` +
    `${scheme === 'mysql' ? '&permitMysqlScheme=true' : ''}${options}`;

  /** Runs the program; returns what it printed and the events its session left in the ledger. */
  async function runJdbc(connectUrl: string, user: string, password: string, steps: JdbcStep[]) {
    const from = (await gw.events()).length;
    const lines = await jdbc.run(connectUrl, user, password, steps);
    const events = await gw.events();
    const queries: Recorded[] = [];
    for (let i = from; i < events.length; i++) {
      const e = events[i];
      if (e.action !== 'db.query') continue;
      const kept = JSON.parse(Buffer.from((await gw.api.opened.repo.payload(i))!.payload).toString('utf8'));
      queries.push({
        allow: e.decision.allow,
        ...(e.decision.allow ? {} : { message: e.decision.message }),
        protocol: e.context.protocol,
        classes: e.target.statements.map((s: { class: string }) => s.class),
        sql: kept.sql,
        ...(kept.params ? { params: kept.params } : {}),
      });
    }
    const refused = events.slice(from).filter((e) => e.action === 'db.command_refused');
    assert.deepEqual(refused, [], 'the gateway refused none of the driver’s commands');
    return { lines, queries, events: events.slice(from) };
  }

  /** The session's records are the driver's connect statements, then exactly these (a RegExp for text the driver writes). */
  function assertRecorded(queries: Recorded[], expected: (Partial<Omit<Recorded, 'sql'>> & { sql: string | RegExp })[]) {
    const sqls = queries.map((q) => q.sql);
    assert.deepEqual(sqls.slice(0, connectStatements.length), connectStatements.map((q) => q.sql), 'the connect statements first');
    const own = queries.slice(connectStatements.length);
    assert.equal(own.length, expected.length, `recorded: ${JSON.stringify(own.map((q) => q.sql))}`);
    expected.forEach(({ sql, ...fields }, i) => {
      const got = own[i]!;
      if (sql instanceof RegExp) assert.match(got.sql, sql);
      else assert.equal(got.sql, sql);
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(got[key as keyof Recorded], value, `${got.sql}: ${key}`);
    });
  }

  const customers = async () => gw.direct().then(async (c) => {
    try {
      const [rows] = await c.query(`SELECT id, name FROM ${gw.database}.customers ORDER BY id`);
      const [[count]] = (await c.query(`SELECT COUNT(*) AS n FROM ${gw.database}.orders`)) as unknown as [[{ n: number }]];
      return { rows, orders: count.n };
    } finally {
      await c.end();
    }
  });

  before(async () => {
    jdbc = await jdbcClient(); // fails here, naming what to install, without a JDK or the driver
    gw = await startTestMysqlGateway();
    const { lines, queries, events } = await runJdbc(url('mariadb'), 'alice', PASSWORDS.alice, []);
    assert.deepEqual(lines, [{ connected: true }]);
    connectStatements = queries;
    connectLogin = events.find((e) => e.action === 'auth.login');
  });
  after(async () => {
    jdbc?.dispose();
    await gw?.close();
  });

  it('what the driver sends at connect is allowed and recorded, not refused; the session is named after the driver', (t) => {
    assert.equal(connectLogin?.context.application, 'MariaDB Connector/J', 'its _client_name connection attribute');
    t.diagnostic(`Connector/J at connect: ${JSON.stringify(connectStatements.map((q) => q.sql))}`);
    assert.ok(connectStatements.length > 0, 'the driver sets its session up with statements of its own');
    for (const q of connectStatements) {
      assert.equal(q.allow, true, `${q.sql}: ${q.message}`);
      assert.ok(q.classes.every((c) => c === 'session' || c === 'read'), `${q.sql}: ${q.classes}`);
    }
  });

  for (const scheme of ['mariadb', 'mysql'] as const) {
    it(`jdbc:${scheme}: alice's SELECT returns rows, her UPDATE is denied with 1142 (42000) and the policy's message`, async () => {
      const before = await customers();
      const select = 'SELECT id, name FROM customers ORDER BY id';
      const update = "UPDATE customers SET name = 'x' WHERE id = 1";
      const { lines, queries } = await runJdbc(url(scheme), 'alice', PASSWORDS.alice, [{ sql: select }, { sql: update }]);
      const policy = `write on ${gw.database}.customers is not granted to alice`;
      const [connected, rows, denied] = lines as [JdbcLine, JdbcLine, { error: { code: number; sqlstate: string; message: string } }];
      assert.deepEqual([connected, rows], [{ connected: true }, { rows: [{ id: '1', name: 'Ada' }, { id: '2', name: 'Grace' }] }]);
      assert.deepEqual([denied.error.code, denied.error.sqlstate], [1142, '42000']);
      assert.ok(denied.error.message.endsWith(policy), denied.error.message); // Connector/J 2 prefixes "(conn=N) "
      assertRecorded(queries, [
        { sql: select, allow: true, protocol: 'text' },
        { sql: update, allow: false, message: policy, protocol: 'text' },
      ]);
      assert.deepEqual(await customers(), before);
    });
  }

  it("bob's server-side prepared statements (useServerPrepStmts) bind parameters; each execute is recorded with them", async () => {
    const byCustomer = 'SELECT amount FROM orders WHERE customer = ? AND amount > ? ORDER BY id';
    const byName = 'SELECT id FROM customers WHERE name = ?';
    const { lines, queries } = await runJdbc(url('mariadb', '&useServerPrepStmts=true'), 'bob', PASSWORDS.bob, [
      { prepare: byCustomer, params: [1, 1] },
      { prepare: byName, params: ['Grace'] },
    ]);
    assert.deepEqual(lines, [{ connected: true }, { rows: [{ amount: '3.00' }, { amount: '5.00' }] }, { rows: [{ id: '2' }] }]);
    // A client-side prepare would have sent text with the values inlined (protocol 'text').
    assertRecorded(queries, [
      { sql: byCustomer, allow: true, protocol: 'prepared', params: [1, 1] },
      { sql: byName, allow: true, protocol: 'prepared', params: ['Grace'] },
    ]);
  });

  it('a transaction (setAutoCommit(false), writes, rollback) leaves the tables unchanged', async () => {
    const before = await customers();
    const insert = 'INSERT INTO orders (customer, amount) VALUES (2, 99.5)';
    const update = "UPDATE customers SET name = 'Zed' WHERE id = 1";
    const { lines, queries } = await runJdbc(url('mariadb'), 'bob', PASSWORDS.bob, [
      { autocommit: false },
      { sql: insert },
      { sql: update },
      'rollback',
      { sql: 'SELECT name FROM customers WHERE id = 1' },
    ]);
    assert.deepEqual(lines, [{ connected: true }, { ok: true }, { update: 1 }, { update: 1 }, { ok: true }, { rows: [{ name: 'Ada' }] }]);
    assertRecorded(queries, [
      { sql: /^set autocommit\s*=\s*0$/i, allow: true, classes: ['session'] },
      { sql: insert, allow: true, classes: ['write'] },
      { sql: update, allow: true, classes: ['write'] },
      { sql: /^rollback$/i, allow: true, classes: ['transaction'] },
      { sql: 'SELECT name FROM customers WHERE id = 1', allow: true },
    ]);
    assert.deepEqual(await customers(), before);
  });

  it('a wrong password gets 1045 (28000); the ledger has the failed login and no statement', async () => {
    const { lines, queries, events } = await runJdbc(url('mariadb'), 'bob', 'not-bobs-password', [{ sql: 'SELECT 1' }]);
    assert.equal(lines.length, 1, 'the steps never ran');
    const { error } = lines[0] as { error: { code: number; sqlstate: string; message: string } };
    assert.deepEqual([error.code, error.sqlstate], [1045, '28000']);
    assert.match(error.message, /Access denied for user 'bob'@'127\.0\.0\.1' \(using password: YES\)/);
    assert.deepEqual(queries, []);
    const failed = events.filter((e) => e.action === 'auth.login_failed');
    assert.deepEqual(failed.map((e) => [e.actor.name, e.outcome.reason]), [['bob', 'wrong_password']]);
  });
});
