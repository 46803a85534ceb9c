import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createConnection } from '../../src/control/connections.js';
import { createGrant } from '../../src/control/grants.js';
import { connectionCreate, grantCreate, parseInput } from '../../src/control/inputs.js';
import { gatehouse } from '../support/cli.js';
import { run, startTestGateway, PASSWORDS, type TestGateway } from '../support/gateway.js';
import { TEST_PG_URL } from '../support/stores.js';

// One database per run: two runs at once (two checkouts on one server) must not drop each other's tables.
const DATABASE = `gatehouse_pgbench_${process.pid}_${Date.now().toString(36)}`;
const CLIENTS = 4;
const TRANSACTIONS = 50;

/** pgbench's TPC-B-like script through the gateway; then the ledger is verified and counted. */
describe('pgbench through the postgres gateway', () => {
  let gw: TestGateway;
  const upstreamUrl = () => {
    const url = new URL(TEST_PG_URL);
    url.pathname = `/${DATABASE}`;
    return url.toString();
  };
  before(async () => {
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const init = spawnSync('pgbench', ['-i', '-s', '1', '-q', upstreamUrl()], { encoding: 'utf8' });
    assert.equal(init.status, 0, init.stderr);
    gw = await startTestGateway();
    const url = new URL(TEST_PG_URL);
    await createConnection(
      gw.api.cp,
      SYSTEM_ACTOR,
      parseInput(connectionCreate, { name: 'bench', engine: 'postgres', host: url.hostname, port: Number(url.port || 5432), database: DATABASE, username: decodeURIComponent(url.username), tls_mode: 'disable' }),
    );
    await createGrant(gw.api.cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'engineers', on: { connection: 'bench' }, privileges: ['read', 'write'], objects: ['public.pgbench_*'] }));
  });
  after(async () => {
    await gw.close();
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.end();
  });

  test('every statement pgbench ran is recorded once, with its outcome, and the ledger verifies', async () => {
    const bench = await run(
      'pgbench',
      ['-n', '-c', String(CLIENTS), '-j', '2', '-t', String(TRANSACTIONS), '-h', '127.0.0.1', '-p', String(gw.port), '-U', 'bob', 'bench'],
      undefined,
      { PGPASSWORD: PASSWORDS.bob },
    );
    assert.equal(bench.code, 0, bench.stderr);
    assert.match(bench.stdout, new RegExp(`number of transactions actually processed: ${CLIENTS * TRANSACTIONS}/${CLIENTS * TRANSACTIONS}`));
    await gw.gateway.close(); // ends the sessions and writes the last outcomes

    const queries = (await gw.events('db.query')).filter((e) => e.actor.name === 'bob' && e.target.name === 'bench');
    const allowed = queries.filter((e) => e.decision.allow);
    const byKind = new Map<string, number>();
    for (const q of allowed) {
      const key = `${q.target.statements[0].kind} ${q.target.statements[0].objects[0] ?? ''}`.trim();
      byKind.set(key, (byKind.get(key) ?? 0) + 1);
    }
    const n = CLIENTS * TRANSACTIONS;
    // The TPC-B-like transaction: BEGIN; 3 UPDATEs; SELECT; INSERT; END (pgbench docs, "Default built-in transaction script").
    assert.equal(byKind.get('TransactionStmt'), 2 * n);
    assert.equal(byKind.get('UpdateStmt write public.pgbench_accounts'), n);
    assert.equal(byKind.get('UpdateStmt write public.pgbench_tellers'), n);
    assert.equal(byKind.get('UpdateStmt write public.pgbench_branches'), n);
    assert.equal(byKind.get('SelectStmt read public.pgbench_accounts'), n);
    assert.equal(byKind.get('InsertStmt write public.pgbench_history'), n);

    const direct = new pg.Client({ connectionString: upstreamUrl() });
    await direct.connect();
    const history = (await direct.query('SELECT count(*)::int AS n FROM pgbench_history')).rows[0].n;
    await direct.end();
    assert.equal(history, n, 'the upstream ran exactly the recorded inserts');

    // Every allowed statement has exactly one outcome, and each says it ran.
    const indexes = new Map<number, string>();
    const all = await gw.events();
    all.forEach((e, i) => {
      if (e.action === 'db.query' && e.actor.name === 'bob' && e.target.name === 'bench' && e.decision.allow) indexes.set(i, 'pending');
    });
    for (const r of all.filter((e) => e.action === 'db.results').flatMap((e) => e.outcome.results)) {
      if (!indexes.has(r.entry)) continue;
      assert.equal(indexes.get(r.entry), 'pending', `one outcome for entry ${r.entry}`);
      indexes.set(r.entry, r.status);
    }
    assert.deepEqual([...new Set(indexes.values())], ['ok']);
    assert.equal(indexes.size, allowed.length);

    const verify = gatehouse(['ledger', 'verify', ...gw.api.test.args]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });
});
