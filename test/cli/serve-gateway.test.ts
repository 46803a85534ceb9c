import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, gatehouse } from '../support/cli.js';
import { runPsql } from '../support/gateway.js';
import { TEST_PG_URL } from '../support/stores.js';

const PASSWORD = 'alice-password-1';

/** Starts `gatehouse serve` and resolves with the API URL and the gateway's port once both listen. */
function startServe(dataDir: string, extra: string[]): Promise<{ child: ChildProcess; api: string; pgPort: number; out: () => string; err: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--pg-listen', '127.0.0.1:0', '--mysql-listen', '127.0.0.1:0', ...extra], {
    env: { ...process.env, GATEHOUSE_DATA_DIR: '', GATEHOUSE_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const api = /admin API on (http:\/\/\S+)\/api\/v1/.exec(out);
      const pg = /postgres gateway on 127\.0\.0\.1:(\d+)/.exec(out);
      if (api && pg) {
        clearTimeout(timer);
        resolve({ child, api: api[1]!, pgPort: Number(pg[1]), out: () => out, err: () => err });
      }
    });
    child.once('exit', () => reject(new Error(`serve exited:\n${out}\n${err}`)));
  });
}

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
      serve.child.kill('SIGTERM');
      const code = await new Promise((resolve) => serve.child.once('exit', resolve));
      assert.equal(code, 0, serve.err());
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
      serve.child.kill('SIGTERM');
      await new Promise((resolve) => serve.child.once('exit', resolve));
    }
  });
});
