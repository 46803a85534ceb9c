import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/** node-postgres through the gateway: the extended protocol, transactions, cancel, pipelining. */
describe('postgres gateway with node-postgres', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ store: 'postgres' });
  });
  after(() => gw.close());

  test('prepared statements with parameters run, and their parameters are kept as a committed payload', async () => {
    const client = await gw.client('bob');
    try {
      const named = { name: 'by-id', text: `SELECT name FROM ${gw.schema}.customers WHERE id = $1`, values: [2] };
      assert.equal((await client.query(named)).rows[0].name, 'Grace');
      assert.equal((await client.query({ ...named, values: [1] })).rows[0].name, 'Ada'); // Bind/Execute only
      const inserted = await client.query(`INSERT INTO ${gw.schema}.orders (customer, amount) VALUES ($1, $2) RETURNING id`, [2, 42.5]);
      assert.equal(inserted.rowCount, 1);
    } finally {
      await client.end();
    }
    const queries = (await gw.events('db.query')).filter((e) => e.actor.name === 'bob');
    assert.equal(queries.length, 3, 'one record per execution');
    assert.equal(queries[0].context.protocol, 'extended');
    assert.equal(queries[0].context.prepared, 'by-id');
    const all = await gw.events();
    const insertAt = all.findIndex((e) => e.action === 'db.query' && e.actor.name === 'bob' && e.target.statements[0].kind === 'InsertStmt');
    const payload = await gw.api.opened.repo.payload(insertAt);
    assert.ok(payload, 'the payload is stored apart');
    assert.deepEqual(JSON.parse(payload.payload).params, ['2', '42.5']);
    await gw.gateway.close();
    const results = (await gw.events('db.results')).flatMap((e) => e.outcome.results);
    assert.ok(results.some((r) => r.status === 'ok' && r.tags[0] === 'INSERT 0 1' && r.rows === 1));
  });
});

describe('postgres gateway: errors in the extended protocol, and cancel', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway();
  });
  after(() => gw.close());

  test('a denied Parse fails like a server error: the batch is skipped up to Sync, the connection goes on', async () => {
    const client = await gw.client('alice');
    try {
      await assert.rejects(
        client.query(`DELETE FROM ${gw.schema}.orders WHERE id = $1`, [1]),
        (e: any) => e.code === '42501' && /write on .*orders is not granted to alice/.test(e.message),
      );
      assert.equal((await client.query(`SELECT count(*)::int AS n FROM ${gw.schema}.orders WHERE id > $1`, [0])).rows[0].n, 10);
      await client.query('BEGIN');
      await assert.rejects(client.query(`UPDATE ${gw.schema}.orders SET amount = $1 WHERE id = 1`, [0]), { code: '42501' });
      await assert.rejects(client.query('SELECT 1'), { code: '25P02' });
      await client.query('ROLLBACK');
      assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await client.end();
    }
  });

  test('a cancel request reaches the right upstream backend', async () => {
    const client = await gw.client('alice');
    try {
      const started = Date.now();
      const query = client.query(new pg.Query('SELECT pg_sleep(20)'));
      const sleeping = new Promise((resolve, reject) => query.on('end', resolve).on('error', reject));
      await new Promise((r) => setTimeout(r, 300));
      // node-postgres cancels by opening a new connection with the key it was given (ours).
      const canceller = new pg.Client({ connectionString: gw.url('alice', 'unused-password') });
      await (canceller as any).cancel(client, query);
      await assert.rejects(sleeping, { code: '57014' });
      assert.ok(Date.now() - started < 10_000);
      assert.equal((await client.query('SELECT 2 AS two')).rows[0].two, 2);
    } finally {
      await client.end();
    }
  });
});
