import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { gatehouse } from '../support/cli.js';
import { runPsql } from '../support/gateway.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { setUpWriter, startServe } from '../support/serve.js';
import { TEST_PG_URL } from '../support/stores.js';

const PASSWORD = 'writer-password-1';

/**
 * `gatehouse serve` on a shared PostgreSQL store (its own throwaway cluster here) that stops
 * as in a crash and comes back: the gateway fails closed meanwhile and carries on after,
 * without a restart of its own.
 */
describe('gatehouse serve when its PostgreSQL store goes down and comes back', () => {
  let cluster: PgCluster;
  let dataDir: string;
  let storeUrl: string;
  const table = `store_down_${randomBytes(4).toString('hex')}`;
  const direct = async (sql: string) => {
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      return (await admin.query(sql)).rows;
    } finally {
      await admin.end();
    }
  };

  before(async () => {
    cluster = await startPgCluster({ hba: ['host all all 127.0.0.1/32 trust'] });
    storeUrl = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-store-down-'));
    await direct(`CREATE TABLE ${table} (n int PRIMARY KEY)`);
  });
  after(async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await direct(`DROP TABLE IF EXISTS ${table}`);
  });

  test('statements, logins and admin changes are refused while it is down; once it is back they go on, and the ledger verifies', async () => {
    const init = gatehouse(['init', '--data-dir', dataDir, '--database-url', storeUrl]);
    assert.equal(init.status, 0, init.stderr);
    const token = /^token: (ghk_\S+)$/m.exec(init.stdout)![1]!;
    const serve = await startServe(dataDir, ['--database-url', storeUrl]);
    const ran: number[] = [];
    let code: number | null;
    try {
      setUpWriter(serve, token, PASSWORD);
      const client = new pg.Client({ host: '127.0.0.1', port: serve.pgPort, user: 'writer', password: PASSWORD, database: 'main', ssl: false, application_name: 'store-down' });
      client.on('error', () => undefined);
      await client.connect();
      const insert = (n: number) => client.query(`INSERT INTO ${table} VALUES (${n})`).then(() => ran.push(n));
      await insert(1);

      await cluster.halt();
      await assert.rejects(insert(2), (e: pg.DatabaseError) => e.code === '58000' && /could not record the statement in the audit ledger/.test(e.message));
      const login = await runPsql(['-X', '-d', `host=127.0.0.1 port=${serve.pgPort} dbname=main user=writer sslmode=disable`, '-c', 'SELECT 1'], undefined, { PGPASSWORD: PASSWORD });
      assert.notEqual(login.code, 0);
      assert.match(login.stderr, /FATAL: {2}Gatehouse cannot start sessions now \(its store or audit ledger is unavailable\); try again later/);
      const change = gatehouse(['groups', 'create', 'late', '--description', 'made while the store is down'], '', { GATEHOUSE_URL: serve.api, GATEHOUSE_TOKEN: token });
      assert.notEqual(change.status, 0);
      assert.match(change.stderr, /unavailable/);
      assert.equal((await fetch(`${serve.api}/api/v1/health`)).status, 503, 'a probe sees that it cannot serve');

      await cluster.restart();
      // The pool's connections died with the server; the first statement after may still meet one.
      for (let n = 3; ran.length < 2 && n < 50; n++) await insert(n).catch(() => new Promise((r) => setTimeout(r, 100)));
      assert.equal(ran.length, 2, `a statement ran once the store was back:\n${serve.err()}`);
      assert.equal((await fetch(`${serve.api}/api/v1/health`)).status, 200);
      await client.end();
    } finally {
      code = await serve.stop();
    }
    assert.equal(code, 0, serve.err());
    assert.match(serve.err(), /warning: the ledger could not commit: /);
    assert.match(serve.err(), /gatehouse: the ledger commits again after \d+\.\d s of failed commits/);
    assert.deepEqual((await direct(`SELECT n FROM ${table} ORDER BY n`)).map((r) => r.n), ran, 'what ran upstream: none of the refused statements');
    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir, '--database-url', storeUrl]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });
});
