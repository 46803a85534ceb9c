import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatehouse } from '../support/cli.js';
import { startServe } from '../support/serve.js';
import { runPsql } from '../support/gateway.js';
import { TEST_PG_URL } from '../support/stores.js';

const PASSWORD = 'alice-password-1';

describe('gatehouse serve runs the PostgreSQL gateway', () => {
  let dataDir: string;
  let token: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-serve-gw-'));
    const init = gatehouse(['init', '--data-dir', dataDir]);
    assert.equal(init.status, 0, init.stderr);
    token = /^token: (ghk_\S+)$/m.exec(init.stdout)![1]!;
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('set up through the admin CLI, psql over TLS verified against the init certificate, SIGTERM stops cleanly', async () => {
    const serve = await startServe(dataDir, ['--log']);
    try {
      const env = { GATEHOUSE_URL: serve.api, GATEHOUSE_TOKEN: token };
      const url = new URL(TEST_PG_URL);
      for (const [args, input] of [
        [['connections', 'create', 'main', '--engine', 'postgres', '--host', url.hostname, '--port', url.port || '5432', '--database', url.pathname.slice(1), '--username', decodeURIComponent(url.username), '--tls-mode', 'disable']],
        [['users', 'create', 'alice', '--email', 'alice@example.com', '--password-stdin'], `${PASSWORD}\n`],
        [['groups', 'create', 'readers', '--description', 'read the main database']],
        [['groups', 'add-member', 'readers', 'alice']],
        [['grants', 'create', '--group', 'readers', '--connection', 'main', '--privileges', 'read']],
      ] as const) {
        const r = gatehouse([...args], input ?? '', env);
        assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      }
      const conninfo = `host=localhost port=${serve.pgPort} dbname=main user=alice sslmode=verify-full sslrootcert=${join(dataDir, 'tls', 'gateway.crt')}`;
      const r = await runPsql(['-X', '-At', '-d', conninfo, '-c', 'SELECT 40 + 2', '-c', '\\conninfo'], undefined, { PGPASSWORD: PASSWORD });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^42\n/);
      assert.match(r.stdout, /SSL connection \(protocol: TLSv1\.3/);
      const sessionsLog = serve.err();
      assert.match(sessionsLog, /"event":"session_start".*"user":"alice"/);
    } finally {
      assert.equal(await serve.stop(), 0, serve.err());
    }
    assert.match(serve.out(), /gatehouse: stopped; ledger size \d+ \(this run: [\d,]+ entries in [\d,]+ group commits, mean \d+\.\d+ ms to durable\)\n/);
    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });

  test('--pg-require-tls refuses a client that does not ask for TLS', async () => {
    const serve = await startServe(dataDir, ['--pg-require-tls']);
    try {
      const r = await runPsql(['-X', '-d', `host=127.0.0.1 port=${serve.pgPort} dbname=main user=alice sslmode=disable`, '-c', 'SELECT 1'], undefined, { PGPASSWORD: PASSWORD });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /FATAL:  this gateway accepts only TLS connections/);
    } finally {
      await serve.stop();
    }
  });
});
