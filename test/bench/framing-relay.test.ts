import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { pgTargetFromUrl } from '../../bench/pgbench.js';
import { startFramingRelay, type FramingRelay } from '../../bench/framing-relay.js';
import { TEST_PG_URL } from '../support/stores.js';

/** The pg suite's yardstick relays a real client's session unchanged: startup, simple and extended queries, errors. */
describe('the framing relay yardstick (real PostgreSQL, node-postgres)', () => {
  const server = pgTargetFromUrl(TEST_PG_URL);
  let relay: FramingRelay;
  before(async () => {
    relay = await startFramingRelay(server);
  });
  after(() => relay.close());

  it('carries a session both ways', async () => {
    const client = new pg.Client({ host: relay.host, port: relay.port, user: server.user, database: server.database, ssl: false });
    await client.connect();
    try {
      assert.deepEqual((await client.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
      const rows = (await client.query('SELECT n, repeat($1::text, n) AS s FROM generate_series(1, 2000) n', ['x'])).rows;
      assert.equal(rows.length, 2000);
      assert.equal(rows[1999].s.length, 2000);
      await assert.rejects(client.query('SELECT * FROM no_such_table_here'), /does not exist/);
      assert.deepEqual((await client.query('SELECT 2 AS two')).rows, [{ two: 2 }]);
    } finally {
      await client.end();
    }
  });
});
