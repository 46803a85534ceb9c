import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { removeMember, addMember } from '../../src/control/groups.js';
import { updatePrincipal } from '../../src/control/principals.js';
import { parseInput, membershipAdd, principalUpdate } from '../../src/control/inputs.js';
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

describe('postgres gateway: live changes, cancel and errors', () => {
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

  test('removing a membership applies to a live session at its next statement, and adding it back too', async () => {
    const client = await gw.client('alice');
    try {
      const read = `SELECT count(*)::int AS n FROM ${gw.schema}.customers`;
      assert.equal((await client.query(read)).rows[0].n, 2);
      await removeMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', 'alice');
      await assert.rejects(client.query(read), { code: '42501' });
      await addMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', parseInput(membershipAdd, { principal: 'alice' }));
      assert.equal((await client.query(read)).rows[0].n, 2);
    } finally {
      await client.end();
    }
  });

  test('disabling a user ends their live sessions at once, and they cannot log in again', async () => {
    const client = await gw.client('bob');
    const ended = new Promise<any>((resolve) => client.on('error', resolve));
    try {
      await client.query('SELECT 1');
      await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { status: 'disabled' }));
      const error = await ended;
      assert.equal(error.code, '57P01');
      assert.match(error.message, /disabled/);
      await assert.rejects(gw.client('bob'), { code: '28P01' });
    } finally {
      await client.end().catch(() => undefined);
      await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { status: 'active' }));
    }
  });

  test('an account that expires by the clock is denied from its next statement on', async () => {
    const client = await gw.client('bob');
    try {
      await client.query('SELECT 1');
      const soon = new Date(gw.api.clock.current.getTime() + 60_000).toISOString();
      await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { expires_at: soon }));
      await client.query('SELECT 1');
      gw.api.clock.advance(120_000);
      await assert.rejects(client.query('SELECT 1'), (e: any) => e.code === '42501' && /expired/.test(e.message));
    } finally {
      await client.end().catch(() => undefined);
      await updatePrincipal(gw.api.cp, SYSTEM_ACTOR, 'bob', parseInput(principalUpdate, { expires_at: null }));
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

  test('sessions are listed live and can be terminated', async () => {
    const client = await gw.client('alice', { application_name: 'report-job' });
    const ended = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.query('SELECT 1');
    const mine = gw.sessions.list().find((s) => s.principal.name === 'alice' && s.application === 'report-job');
    assert.ok(mine, 'the session is listed');
    assert.equal(mine.connection.name, 'pgtest');
    assert.equal(mine.state, 'idle');
    assert.ok(mine.statements >= 1);
    assert.equal(gw.sessions.terminate(mine.id, 'ended by the test'), true);
    const error = (await ended) as any;
    assert.equal(error.code, '57P01');
    assert.match(error.message, /ended by the test/);
    await client.end().catch(() => undefined);
  });
});
