import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate, defaultTlsFiles, loadTlsCredentials, type TlsFiles } from '../../src/gateway/tls.js';

/** SSLRequest: length 8, then the code 1234 5679 (PostgreSQL protocol §55.7, "SSLRequest"). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** An ErrorResponse (§55.7) with severity FATAL, SQLSTATE 28000 and `message`. */
function fatal(message: string): Buffer {
  const fields = Buffer.concat([
    ...[['S', 'FATAL'], ['V', 'FATAL'], ['C', '28000'], ['M', message]].map(([code, value]) => Buffer.from(`${code}${value}\0`, 'utf8')),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/**
 * The smallest server libpq will take TLS from: it accepts the SSLRequest, completes the TLS
 * handshake with the gateway certificate, and answers the startup message with a FATAL error
 * that psql prints. It checks that real clients (libpq, as psql, JDBC-over-libpq tools and
 * most drivers use it) accept the certificate Gatehouse makes, with sslmode=verify-full.
 */
function tlsOnlyServer(cert: Buffer, key: Buffer): Server {
  return createServer((socket: Socket) => {
    socket.on('error', () => {});
    socket.once('data', (first) => {
      if (!first.equals(SSL_REQUEST)) return socket.end(fatal('expected an SSLRequest'));
      socket.write('S');
      const secure = new TLSSocket(socket, { isServer: true, cert, key, minVersion: 'TLSv1.2' });
      secure.on('error', () => {}); // a client that refuses the certificate aborts the handshake
      secure.once('data', () => secure.end(fatal(`tls ok: ${secure.getProtocol()}`)));
    });
  });
}

function psql(port: number, params: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const conninfo = Object.entries({ host: '127.0.0.1', port: String(port), user: 'alice', dbname: 'crm', connect_timeout: '5', ...params })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return new Promise((resolve, reject) => {
    // Only what the conninfo says: no PG* setting of the environment (libpq reads an empty one as set).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
    const child = spawn('psql', [conninfo, '-c', 'select 1'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

describe('psql accepts the self-signed gateway certificate', () => {
  let dir: string;
  let files: TlsFiles;
  let server: Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-psql-'));
    files = defaultTlsFiles(dir);
    await createSelfSignedCertificate(files, ['gate.example.test']);
    const { cert, key } = loadTlsCredentials(files);
    server = tlsOnlyServer(cert, key);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify-full with the certificate as sslrootcert, by IP address and by host name', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await psql(port, { host, sslmode: 'verify-full', sslrootcert: files.cert });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /FATAL: {2}tls ok: TLSv1\.3/, `${host}: ${r.stderr}`);
    }
  });

  it('require (no verification) encrypts too', async () => {
    const r = await psql(port, { sslmode: 'require' });
    assert.match(r.stderr, /FATAL: {2}tls ok: TLSv1\.3/, r.stderr);
  });

  it('verify-full refuses a name the certificate does not carry, and a root it was not signed by', async () => {
    const wrongName = await psql(port, { hostaddr: '127.0.0.1', host: 'other.example.test', sslmode: 'verify-full', sslrootcert: files.cert });
    assert.match(wrongName.stderr, /server certificate for "localhost" \(and \d+ other names?\) does not match host name "other\.example\.test"/, wrongName.stderr);
    const otherFiles = defaultTlsFiles(join(dir, 'other'));
    await createSelfSignedCertificate(otherFiles, []);
    const wrongRoot = await psql(port, { sslmode: 'verify-full', sslrootcert: otherFiles.cert });
    assert.match(wrongRoot.stderr, /certificate verify failed/, wrongRoot.stderr);
    assert.doesNotMatch(wrongRoot.stderr, /tls ok/);
  });
});
