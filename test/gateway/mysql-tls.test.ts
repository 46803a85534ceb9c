import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { createSelfSignedCertificate, defaultTlsFiles, loadTlsCredentials, type TlsFiles } from '../../src/gateway/tls.js';
import { PASSWORDS, run } from '../support/gateway.js';
import { MYSQL_CONNECTION, startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

type MysqlError = Error & { errno?: number; sqlState?: string };

/** The real mysql (MariaDB) client, over TLS checked against the gateway's certificate. */
function mysqlCliTls(port: number, files: TlsFiles, user: string, password: string, args: string[]) {
  const tls = ['--ssl', `--ssl-ca=${files.cert}`, '--ssl-verify-server-cert'];
  return run('mysql', ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', user, `--password=${password}`, ...tls, MYSQL_CONNECTION, ...args]);
}

/** A test gateway with a self-signed certificate, as `gatehouse init` makes one; close() removes it. */
async function startTlsGateway(requireTls: boolean): Promise<{ gw: TestMysqlGateway; files: TlsFiles; ca: Buffer; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mysql-tls-'));
  const files = defaultTlsFiles(dir);
  await createSelfSignedCertificate(files, []);
  const { cert, key } = loadTlsCredentials(files);
  const gw = await startTestMysqlGateway({ gateway: { tls: { cert, key }, requireTls } });
  return {
    gw,
    files,
    ca: cert,
    async close() {
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('MySQL gateway over TLS (the certificate of the PostgreSQL listener)', () => {
  let files: TlsFiles;
  let gw: TestMysqlGateway;
  let ca: Buffer;
  let close: () => Promise<void>;
  before(async () => {
    ({ gw, files, ca, close } = await startTlsGateway(false));
  });
  after(async () => close?.());

  const tlsClient = (user: string, password: string) =>
    mysql.createConnection({ host: '127.0.0.1', port: gw.port, user, password, database: MYSQL_CONNECTION, ssl: { ca } });

  it('logs mysql2 in with a token by caching_sha2_password full authentication (tokens have no fast path), and records tls', async () => {
    const conn = await tlsClient('alice', gw.aliceToken);
    try {
      const [rows] = await conn.query('SELECT COUNT(*) AS n FROM customers');
      assert.deepEqual(rows, [{ n: 2 }]);
      const login = (await gw.events('auth.login')).at(-1);
      assert.equal(login.outcome.via, 'token');
      assert.equal(login.context.tls, true);
      const [session] = gw.api.sessions.list().filter((s) => s.engine === 'mysql' && s.principal.name === 'alice');
      assert.equal(session?.tls, true, 'the session list shows TLS');
    } finally {
      await conn.end();
    }
  });

  it('lets a password that predates the MySQL verifiers in over TLS only, which fills the verifiers in', async () => {
    const { cp } = gw.api;
    const bob = (await cp.identity.principal('bob', cp.now()))!;
    await gw.api.opened.store.db
      .updateTable('principal_secrets')
      .set({ mysql_native_hash: null, mysql_sha2_hash: null })
      .where('principal_id', '=', bob.id)
      .execute();
    // Without TLS there is no way to check it: the fast path and mysql_native_password need the verifiers.
    await assert.rejects(gw.client('bob'), (e: MysqlError) => e.errno === 1045);
    assert.equal((await gw.events('auth.login_failed')).at(-1).outcome.reason, 'wrong_password');

    const conn = await tlsClient('bob', PASSWORDS.bob);
    await conn.query('SELECT 1');
    await conn.end();
    const login = (await gw.events('auth.login')).at(-1);
    assert.deepEqual([login.actor.name, login.outcome.via, login.context.tls], ['bob', 'password', true]);
    const secrets = await cp.identity.secrets(bob.id);
    assert.ok(secrets?.mysql_native_hash && secrets.mysql_sha2_hash, 'the verifiers are kept now');

    const plain = await gw.client('bob');
    await plain.end();
    assert.equal((await gw.events('auth.login')).at(-1).context.tls, false, 'and a plain login works again');
  });

  it('refuses a wrong secret over TLS with the same 1045', async () => {
    await assert.rejects(tlsClient('alice', 'ghk_not-a-live-token-at-all'), (e: MysqlError) => e.errno === 1045 && e.sqlState === '28000');
    assert.equal((await gw.events('auth.login_failed')).at(-1).context.tls, true);
  });

  it('lets the real mysql client in over TLS with the certificate verified, with a password and with a token', async () => {
    for (const secret of [PASSWORDS.alice, gw.aliceToken]) {
      const r = await mysqlCliTls(gw.port, files, 'alice', secret, ['-e', 'status']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /SSL:\s+Cipher in use is \S+/, 'the client itself says it used TLS');
      const login = (await gw.events('auth.login')).at(-1);
      assert.equal(login.context.tls, true);
      assert.equal(login.outcome.via, secret === gw.aliceToken ? 'token' : 'password');
    }
  });
});

describe('MySQL gateway with --mysql-require-tls', () => {
  let files: TlsFiles;
  let gw: TestMysqlGateway;
  let close: () => Promise<void>;
  before(async () => {
    ({ gw, files, close } = await startTlsGateway(true));
  });
  after(async () => close?.());

  it('refuses a client that does not switch to TLS with 3159, and records it', async () => {
    const cli = await gw.mysqlCli('alice', PASSWORDS.alice, ['-e', 'SELECT 1']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /ERROR 3159 \(HY000\).*insecure transport/);
    await assert.rejects(gw.client('alice'), (e: MysqlError) => e.errno === 3159);
    const failed = (await gw.events('auth.login_failed')).slice(-2);
    assert.deepEqual(failed.map((e) => [e.outcome.reason, e.context.tls]), [['tls_required', false], ['tls_required', false]]);
    assert.equal((await gw.events('auth.login')).length, 0);
  });

  it('lets the same client in over TLS', async () => {
    const r = await mysqlCliTls(gw.port, files, 'alice', PASSWORDS.alice, ['-N', '-e', 'SELECT name FROM customers ORDER BY id']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Ada\nGrace\n');
  });
});
