import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runPsql, startTestGateway, PASSWORDS, type TestGateway } from '../support/gateway.js';

/** The real psql binary through the gateway, against this machine's PostgreSQL. */
describe('postgres gateway with psql', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('an allowed read returns rows and is recorded before it runs, with its outcome after', async () => {
    const r = await gw.psql('alice', ['-At', '-c', `SELECT name FROM ${gw.schema}.customers ORDER BY id`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Ada\nGrace\n');
    const logins = await gw.events('auth.login');
    assert.ok(logins.some((e) => e.actor.name === 'alice' && e.target.name === 'pgtest' && e.outcome.via === 'password'));
    const queries = (await gw.events('db.query')).filter((e) => e.actor.name === 'alice');
    const q = queries.at(-1);
    assert.equal(q.decision.allow, true);
    assert.deepEqual(q.actor.groups, ['analysts']);
    assert.deepEqual(q.target.statements, [{ kind: 'SelectStmt', class: 'read', objects: [`read ${gw.schema}.customers`] }]);
    assert.ok(q.payload_commitment, 'the statement text is kept apart as a payload');
    await gw.gateway.close(); // flushes pending outcomes
  });
});

describe('postgres gateway: denials, logins and the session afterwards', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('a denied write gets 42501 naming what is missing, and the session stays usable', async () => {
    const script = `UPDATE ${gw.schema}.customers SET email = 'x' WHERE id = 1;\nSELECT count(*) FROM ${gw.schema}.customers;\n`;
    const r = await gw.psql('alice', ['-At', '-f', '-'], script);
    assert.match(r.stderr, new RegExp(`ERROR:  write on ${gw.schema}.customers is not granted to alice`));
    assert.match(r.stderr, /DETAIL:  Gatehouse denied the statement \(missing privilege\)\./);
    assert.equal(r.stdout, '2\n');
    const direct = await gw.direct();
    const { rows } = await direct.query(`SELECT email FROM ${gw.schema}.customers WHERE id = 1`);
    await direct.end();
    assert.equal(rows[0].email, 'ada@example.com', 'the denied statement did not run');
    const denials = (await gw.events('db.query')).filter((e) => e.decision.allow === false);
    assert.equal(denials.length, 1);
    assert.equal(denials[0].decision.code, 'missing_privilege');
  });

  test('inside a transaction a denial aborts it as an error would', async () => {
    const script = [
      'BEGIN;',
      `DELETE FROM ${gw.schema}.orders WHERE id = 1;`,
      `SELECT 1 FROM ${gw.schema}.orders LIMIT 1;`,
      'ROLLBACK;',
      `SELECT count(*) FROM ${gw.schema}.orders;`,
    ].join('\n');
    const r = await gw.psql('alice', ['-At', '-f', '-'], script);
    assert.match(r.stderr, /ERROR:  write on .*orders is not granted to alice/);
    assert.match(r.stderr, /ERROR:  current transaction is aborted, commands ignored until end of transaction block/);
    assert.match(r.stdout, /ROLLBACK\n10\n$/);
  });

  test('a multi-statement string hiding a write is denied as a whole', async () => {
    const r = await gw.psql('alice', ['-At', '-c', `SELECT 1; DELETE FROM ${gw.schema}.orders WHERE id > 0`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not granted to alice/);
    const direct = await gw.direct();
    assert.equal((await direct.query(`SELECT count(*)::int AS n FROM ${gw.schema}.orders`)).rows[0].n, 10);
    await direct.end();
  });

  test('a deny rule overrides a grant: bob may write, but not without WHERE', async () => {
    const ok = await gw.psql('bob', ['-At', '-c', `UPDATE ${gw.schema}.orders SET amount = amount WHERE id = 2`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'UPDATE 1\n');
    const no = await gw.psql('bob', ['-At', '-c', `UPDATE ${gw.schema}.orders SET amount = 0`]);
    assert.match(no.stderr, /ERROR: .*no-unbounded-writes|ERROR: .*WHERE/);
  });

  test('wrong passwords, unknown users and users in no group: one message, each attempt recorded', async () => {
    const wrong = await runPsql(['-X', '-d', gw.url('alice', 'not-her-password'), '-c', 'SELECT 1']);
    const unknown = await runPsql(['-X', '-d', gw.url('mallory', 'whatever-password'), '-c', 'SELECT 1']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /FATAL:  password authentication failed for user "alice"/);
    assert.match(unknown.stderr, /FATAL:  password authentication failed for user "mallory"/);
    const failed = await gw.events('auth.login_failed');
    assert.deepEqual(
      failed.slice(-2).map((e) => [e.actor.name, e.outcome.reason]),
      [
        ['alice', 'wrong_password'],
        ['mallory', 'unknown_user'],
      ],
    );
    const carol = await gw.psql('carol', ['-At', '-c', `SELECT * FROM ${gw.schema}.customers`]);
    assert.match(carol.stderr, /ERROR: .*carol/);
  });

  test('an access token works as the database password; an unknown connection is 3D000 after login', async () => {
    const r = await runPsql(['-X', '-At', '-d', gw.url('alice', gw.aliceToken), '-c', `SELECT count(*) FROM ${gw.schema}.orders`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '10\n');
    const none = await runPsql(['-X', '-d', gw.url('alice', PASSWORDS.alice, 'nope'), '-c', 'SELECT 1']);
    assert.match(none.stderr, /FATAL:  connection "nope" does not exist/);
  });

  test('\\copy out and in go through COPY, decided like any statement', async () => {
    const out = await gw.psql('alice', ['-At', '-c', `\\copy (SELECT id, name FROM ${gw.schema}.customers ORDER BY id) TO STDOUT WITH (FORMAT csv)`]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, '1,Ada\n2,Grace\n');
    const copyIn = await gw.psql('bob', ['-At', '-c', `\\copy ${gw.schema}.customers FROM STDIN WITH (FORMAT csv)`], '3,Edsger,e@example.com\n4,Barbara,b@example.com\n');
    assert.equal(copyIn.code, 0, copyIn.stderr);
    assert.equal(copyIn.stdout, 'COPY 2\n');
    const denied = await gw.psql('alice', ['-At', '-c', `\\copy ${gw.schema}.customers FROM STDIN WITH (FORMAT csv)`], '5,Eve,e@example.com\n');
    assert.match(denied.stderr, /write on .*customers is not granted to alice/);
  });
});
