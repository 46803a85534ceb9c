import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The real psql binary through the gateway, against this machine's PostgreSQL: what psql shows
 * and PostgreSQL's own semantics. What both engines do alike is in engines.test.ts.
 */
describe('postgres gateway with psql: denials and the session afterwards', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('psql shows a denial as an ERROR with the denial code in DETAIL, and goes on with the script', async () => {
    const script = `UPDATE ${gw.schema}.customers SET email = 'x' WHERE id = 1;\nSELECT count(*) FROM ${gw.schema}.customers;\n`;
    const r = await gw.psql('alice', ['-At', '-f', '-'], script);
    assert.match(r.stderr, new RegExp(`ERROR:  write on ${gw.schema}.customers is not granted to alice`));
    assert.match(r.stderr, /DETAIL:  Gatehouse denied the statement \(missing privilege\)\./);
    assert.equal(r.stdout, '2\n');
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
