import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createSecureContext, createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certificateNames, createSelfSignedCertificate, defaultTlsFiles, loadTlsCredentials, SELF_SIGNED_DAYS, type TlsFiles } from './tls.js';
import { TlsError } from './errors.js';

const DAY = 24 * 60 * 60 * 1000;

/** A TLS server on loopback with these credentials, answering "pong" to anything. */
async function pongServer(cert: Buffer, key: Buffer): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert, key, minVersion: 'TLSv1.2' }, (socket) => {
    socket.once('data', () => socket.end('pong'));
    socket.on('error', () => {}); // a client that refuses the certificate resets the connection
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Connects as a verifying client would (sslmode=verify-full); resolves with the answer or rejects with the TLS error. */
function handshake(port: number, options: { ca?: Buffer; servername: string }): Promise<{ answer: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: options.servername, ...(options.ca ? { ca: options.ca } : {}), timeout: 5000 });
    let answer = '';
    socket.once('secureConnect', () => socket.write('ping'));
    socket.setEncoding('utf8').on('data', (s: string) => (answer += s));
    socket.once('end', () => resolve({ answer, protocol: socket.getProtocol() }));
    socket.once('timeout', () => socket.destroy(new Error('timed out')));
    socket.once('error', reject);
  });
}

describe('the gateway TLS certificate', () => {
  let dir: string;
  let files: TlsFiles;
  let made: Awaited<ReturnType<typeof createSelfSignedCertificate>>;
  const started = Date.now();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
    files = defaultTlsFiles(join(dir, 'data'));
    made = await createSelfSignedCertificate(files, ['db.example.test', '10.1.2.3', 'DB.example.test', '[fd00::7]']);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is written under <data-dir>/tls: folder 0700, key 0600, certificate 0644', () => {
    assert.deepEqual(files, { cert: join(dir, 'data', 'tls', 'gateway.crt'), key: join(dir, 'data', 'tls', 'gateway.key') });
    assert.equal(statSync(join(dir, 'data', 'tls')).mode & 0o777, 0o700);
    assert.equal(statSync(files.key).mode & 0o777, 0o600);
    assert.equal(statSync(files.cert).mode & 0o777, 0o644);
    assert.match(readFileSync(files.key, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----\n$/);
    assert.match(readFileSync(files.cert, 'utf8'), /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/);
  });

  it('says what it is: CN gatehouse, the loopback names and the given ones, a year, an EC P-256 key', () => {
    const cert = new X509Certificate(readFileSync(files.cert));
    assert.equal(cert.subject, 'CN=gatehouse');
    assert.equal(cert.issuer, 'CN=gatehouse');
    assert.equal(cert.ca, false);
    assert.equal(cert.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:db.example.test, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:7');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'for TLS servers only');
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.verify(cert.publicKey), 'self-signed');
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    assert.ok(from <= started && from > started - 2 * 60 * 60 * 1000, cert.validFrom);
    assert.equal(Math.round((to - from) / DAY), SELF_SIGNED_DAYS);
    assert.equal(made.fingerprint, cert.fingerprint256);
    assert.match(made.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(made.subjectAltNames.length, 6);
    assert.equal(made.notAfter.getTime(), to);
  });

  it('loads, and Node accepts it in a secure context', () => {
    const loaded = loadTlsCredentials(files);
    assert.deepEqual(loaded.cert, readFileSync(files.cert));
    assert.deepEqual(loaded.key, readFileSync(files.key));
    assert.equal(loaded.fingerprint, made.fingerprint);
    assert.ok(createSecureContext({ cert: loaded.cert, key: loaded.key }).context);
  });

  it('a real TLS handshake on loopback verifies it by name, with the certificate as the only CA', async () => {
    const { cert, key } = loadTlsCredentials(files);
    const { server, port } = await pongServer(cert, key);
    try {
      for (const servername of ['localhost', 'db.example.test']) {
        const r = await handshake(port, { ca: cert, servername });
        assert.equal(r.answer, 'pong', servername);
        assert.match(r.protocol ?? '', /^TLSv1\.[23]$/);
      }
      // The checks that make verify-full worth having: another name, or no trust in this certificate, fail.
      await assert.rejects(handshake(port, { ca: cert, servername: 'other.example.test' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      await assert.rejects(handshake(port, { servername: 'localhost' }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      const otherDir = join(dir, 'other');
      const other = await createSelfSignedCertificate({ cert: join(otherDir, 'c.pem'), key: join(otherDir, 'k.pem') }, []);
      assert.notEqual(other.fingerprint, made.fingerprint, 'every certificate has its own key');
      await assert.rejects(handshake(port, { ca: readFileSync(join(otherDir, 'c.pem')), servername: 'localhost' }), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('never overwrites a certificate or a key', async () => {
    const before = readFileSync(files.key);
    await assert.rejects(createSelfSignedCertificate(files, []), (e: Error) => e instanceof TlsError && e.message.includes('already exists'));
    assert.deepEqual(readFileSync(files.key), before);
    // Nor a lone key left by an interrupted run of something else.
    const lone = join(dir, 'lone');
    mkdirSync(lone);
    writeFileSync(join(lone, 'k.pem'), 'mine', { mode: 0o600 });
    await assert.rejects(createSelfSignedCertificate({ cert: join(lone, 'c.pem'), key: join(lone, 'k.pem') }, []), /k\.pem already exists/);
    assert.equal(readFileSync(join(lone, 'k.pem'), 'utf8'), 'mine');
  });

  it('refuses names that are neither host names nor IP addresses', () => {
    for (const bad of ['bad name', 'under_score.example', '-lead.example', 'a..b', '*.example.test', '']) {
      assert.throws(() => certificateNames([bad]), TlsError, JSON.stringify(bad));
    }
    assert.deepEqual(certificateNames(['Gate.Example.TEST', 'localhost', '[::1]', '192.0.2.1']), ['localhost', '127.0.0.1', '::1', 'gate.example.test', '192.0.2.1']);
  });

  it('an expired certificate still loads; the caller sees notAfter', async () => {
    const d = join(dir, 'old');
    const old = await createSelfSignedCertificate({ cert: join(d, 'c.pem'), key: join(d, 'k.pem') }, [], { now: new Date(Date.now() - 2 * 365 * DAY) });
    const loaded = loadTlsCredentials({ cert: join(d, 'c.pem'), key: join(d, 'k.pem') });
    assert.ok(loaded.notAfter.getTime() < Date.now());
    assert.equal(loaded.fingerprint, old.fingerprint);
  });

  describe('errors name the file', () => {
    const bad = (name: string) => join(dir, 'bad', name);
    before(() => mkdirSync(join(dir, 'bad')));

    it('a missing certificate or key', () => {
      assert.throws(() => loadTlsCredentials({ cert: bad('none.crt'), key: files.key }), (e: Error) => e instanceof TlsError && e.message.startsWith(`no TLS certificate at ${bad('none.crt')}; run 'gatehouse init'`));
      assert.throws(() => loadTlsCredentials({ cert: files.cert, key: bad('none.key') }), (e: Error) => e instanceof TlsError && e.message.startsWith(`no TLS key at ${bad('none.key')}`));
      assert.throws(() => loadTlsCredentials({ cert: join(dir, 'bad'), key: files.key }), /is a directory, not a PEM file/);
    });

    it('a file that is not PEM, or not what it should be', () => {
      writeFileSync(bad('garbage.crt'), 'hello\n');
      assert.throws(() => loadTlsCredentials({ cert: bad('garbage.crt'), key: files.key }), new RegExp(`the TLS certificate ${bad('garbage.crt')} is not a PEM certificate`));
      writeFileSync(bad('broken.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      assert.throws(() => loadTlsCredentials({ cert: bad('broken.crt'), key: files.key }), new RegExp(`the TLS certificate ${bad('broken.crt')} cannot be read`));
      // The certificate where the key should be.
      writeFileSync(bad('cert-as.key'), readFileSync(files.cert), { mode: 0o600 });
      assert.throws(() => loadTlsCredentials({ cert: files.cert, key: bad('cert-as.key') }), new RegExp(`the TLS key ${bad('cert-as.key')} is not a PEM private key`));
    });

    it('a key others can read, an encrypted key, the key of another certificate', () => {
      writeFileSync(bad('open.key'), readFileSync(files.key));
      chmodSync(bad('open.key'), 0o644);
      assert.throws(() => loadTlsCredentials({ cert: files.cert, key: bad('open.key') }), new RegExp(`the TLS key ${bad('open.key')} is open to others \\(mode 644\\); run chmod 600`));
      chmodSync(bad('open.key'), 0o640); // group-readable, as PostgreSQL allows for a root-owned key
      assert.equal(loadTlsCredentials({ cert: files.cert, key: bad('open.key') }).fingerprint, made.fingerprint);

      const encrypted = generateKeyPairSync('ec', {
        namedCurve: 'P-256',
        privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret-pass' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey;
      writeFileSync(bad('enc.key'), encrypted, { mode: 0o600 });
      assert.throws(() => loadTlsCredentials({ cert: files.cert, key: bad('enc.key') }), new RegExp(`the TLS key ${bad('enc.key')} is encrypted`));

      const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      writeFileSync(bad('foreign.key'), foreign, { mode: 0o600 });
      assert.throws(
        () => loadTlsCredentials({ cert: files.cert, key: bad('foreign.key') }),
        new RegExp(`the TLS key ${bad('foreign.key')} is not the key of the certificate ${files.cert}`),
      );
    });
  });
});
