import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPgliteUpstream, type PgliteUpstream } from './pglite-upstream.js';
import { SAMPLE_TABLES, sampleSql } from './sample.js';

/** The real PGlite behind the real socket server, queried with the real `pg` driver. */
describe('PGlite upstream with the sample data', () => {
  let upstream: PgliteUpstream;
  const clients: pg.Client[] = [];

  const connect = async (login: Partial<pg.ClientConfig> = {}) => {
    const client = new pg.Client({ host: upstream.host, port: upstream.port, user: 'postgres', database: 'postgres', ssl: false, ...login });
    client.on('error', () => {});
    await client.connect();
    clients.push(client);
    return client;
  };

  before(async () => {
    upstream = await startPgliteUpstream({ init: sampleSql() });
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => {});
    await upstream.stop();
  });

  it('listens on loopback on a free port and reports PostgreSQL', () => {
    assert.equal(upstream.host, '127.0.0.1');
    assert.ok(upstream.port > 0);
    assert.match(upstream.version, /^PostgreSQL \d+/);
  });

  it('holds every sample table with its rows, personal data in the named columns', async () => {
    const client = await connect();
    for (const t of SAMPLE_TABLES) {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${t.schema}.${t.name}`);
      assert.equal(rows[0].n, t.rows, `${t.schema}.${t.name}`);
      for (const column of t.personal) {
        const { rows: nonNull } = await client.query(`SELECT count(${column})::int AS n FROM ${t.schema}.${t.name}`);
        assert.ok(nonNull[0].n > 0, `${t.schema}.${t.name}.${column}`);
      }
    }
    const { rows } = await client.query('SELECT name, email, phone FROM sales.customers ORDER BY id LIMIT 1');
    assert.match(rows[0].email, /@example\.com$/);
    assert.match(rows[0].phone, /^\+1 555-01\d\d$/);
    const orphans = await client.query('SELECT count(*)::int AS n FROM sales.orders o LEFT JOIN sales.customers c ON c.id = o.customer_id WHERE c.id IS NULL');
    assert.equal(orphans.rows[0].n, 0);
  });

  it('takes any user, database and password, and runs every session as postgres in postgres', async () => {
    const client = await connect({ user: 'alice', database: 'shop', password: 'anything-at-all' });
    const { rows } = await client.query('SELECT current_user AS u, current_database() AS d');
    assert.deepEqual(rows[0], { u: 'postgres', d: 'postgres' });
  });

  it('serves two sessions at once, extended-protocol queries interleaved', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    // Each client runs its queries in turn; the two clients run at the same time.
    const run = async (client: pg.Client, start: number) => {
      for (let i = start; i < 40; i += 2) {
        const r = await client.query('SELECT $1::int AS i, count(*)::int AS n FROM sales.orders WHERE id > $1::int + 1000', [i]);
        assert.deepEqual(r.rows[0], { i, n: 60 - i });
      }
    };
    await Promise.all([run(a!, 0), run(b!, 1)]);
  });

  it("runs one session's transaction alone: another session waits until it commits, then sees it", async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    await a!.query('BEGIN');
    await a!.query("INSERT INTO staging.price_changes VALUES (100, 'TEA-001', 6.5, 7, 'proposed')");
    let seen: number | undefined;
    const waiting = b!.query('SELECT count(*)::int AS n FROM staging.price_changes WHERE id = 100').then((r) => (seen = r.rows[0].n));
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(seen, undefined, 'b waits while a is inside its transaction');
    await a!.query('COMMIT');
    await waiting;
    assert.equal(seen, 1);
    await a!.query('DELETE FROM staging.price_changes WHERE id = 100');
  });

  it('rolls back the transaction of a session that drops', async () => {
    const a = await connect();
    await a.query('BEGIN');
    await a.query("INSERT INTO staging.price_changes VALUES (101, 'TEA-002', 9.9, 11, 'proposed')");
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const b = await connect();
    const { rows } = await b.query('SELECT count(*)::int AS n FROM staging.price_changes WHERE id = 101');
    assert.equal(rows[0].n, 0);
  });

  it('refuses to listen beyond loopback (it asks for no password)', async () => {
    await assert.rejects(startPgliteUpstream({ host: '0.0.0.0' }), /loopback only/);
  });

  it('stops: live sessions are closed, new ones refused, a second stop is harmless', async () => {
    const live = await connect();
    await live.query('BEGIN');
    await live.query("INSERT INTO staging.price_changes VALUES (102, 'TEA-002', 9.9, 11, 'proposed')");
    const ended = new Promise<void>((resolve) => live.once('end', () => resolve()));
    await upstream.stop();
    await ended;
    await assert.rejects(connect(), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
    await upstream.stop();
  });
});
