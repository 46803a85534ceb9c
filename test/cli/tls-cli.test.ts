import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gatehouse } from '../support/cli.js';
import { certificateNames, createSelfSignedCertificate, type TlsFiles } from '../../src/gateway/tls.js';

/** `gatehouse init` makes (or checks) the gateways' certificate; `serve` refuses to start without a good one. */
describe('gatehouse init and serve: the TLS certificate', () => {
  let root: string;
  let own: TlsFiles;
  let ownFingerprint: string;
  const fingerprintOf = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'gatehouse-tls-cli-'));
    own = { cert: join(root, 'own', 'server.crt'), key: join(root, 'own', 'server.key') };
    ownFingerprint = (await createSelfSignedCertificate(own, ['db.example.test'])).fingerprint;
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('init creates a self-signed certificate once and prints its path and fingerprint', () => {
    const dataDir = join(root, 'a');
    const first = gatehouse(['init', '--data-dir', dataDir, '--tls-hostname', 'gate.example.test', '192.0.2.10']);
    assert.equal(first.status, 0, first.stderr);
    const cert = join(dataDir, 'tls', 'gateway.crt');
    const until = /^tls certificate: (.+) \(created, self-signed, valid until (\d{4}-\d{2}-\d{2})\)$/m.exec(first.stdout);
    assert.ok(until, first.stdout);
    assert.equal(until[1], cert);
    const fingerprint = /^tls fingerprint: SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/m.exec(first.stdout)?.[1];
    assert.equal(fingerprint, fingerprintOf(cert));
    assert.equal(until[2], new Date(new X509Certificate(readFileSync(cert)).validTo).toISOString().slice(0, 10));
    assert.equal(statSync(join(dataDir, 'tls', 'gateway.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'tls')).mode & 0o777, 0o700);
    const names = new X509Certificate(readFileSync(cert)).subjectAltName!;
    for (const name of ['DNS:localhost', 'IP Address:127.0.0.1', 'DNS:gate.example.test', 'IP Address:192.0.2.10']) assert.ok(names.includes(name), names);
    const machine = (() => {
      try {
        return certificateNames([hostname()]).at(-1);
      } catch {
        return undefined;
      }
    })();
    if (machine && machine !== 'localhost') assert.ok(names.includes(`DNS:${machine}`), `${machine} in ${names}`);
    assert.match(first.stdout, /^token: ghk_/m);

    const again = gatehouse(['init', '--data-dir', dataDir]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^tls certificate: ${cert} \\(existing, valid until ${until[2]}\\)$`, 'm'));
    assert.match(again.stdout, new RegExp(`^tls fingerprint: SHA-256 ${fingerprint}$`, 'm'));
    assert.equal(fingerprintOf(cert), fingerprint, 'the certificate was kept');
  });

  it('init with a given pair checks it and makes none; a bad pair stops init before the admin is made', () => {
    const dataDir = join(root, 'b');
    const missing = gatehouse(['init', '--data-dir', dataDir, '--tls-cert', join(root, 'none.crt'), '--tls-key', own.key]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '');
    assert.equal(missing.stderr, `gatehouse: --tls-cert (GATEHOUSE_TLS_CERT): there is no file ${join(root, 'none.crt')}\n`, 'nothing made, nothing said but why');
    assert.equal(existsSync(dataDir), false);
    const wrongKey = gatehouse(['init', '--data-dir', dataDir, '--tls-cert', own.cert, '--tls-key', join(root, 'a', 'tls', 'gateway.key')]);
    assert.equal(wrongKey.status, 2);
    assert.match(wrongKey.stderr, /^gatehouse: the TLS key .+ is not the key of the certificate /);

    const half = gatehouse(['init', '--data-dir', dataDir, '--tls-cert', own.cert]);
    assert.equal(half.status, 2);
    assert.match(half.stderr, /give both --tls-cert and --tls-key/);

    const badName = gatehouse(['init', '--data-dir', dataDir, '--tls-hostname', 'not a name']);
    assert.equal(badName.status, 2);
    assert.match(badName.stderr, /"not a name" is neither a host name nor an IP address/);
    assert.equal(existsSync(dataDir), false, 'nothing made');

    // From the environment, as a secret store would mount them.
    const given = gatehouse(['init', '--data-dir', dataDir], '', { GATEHOUSE_TLS_CERT: own.cert, GATEHOUSE_TLS_KEY: own.key });
    assert.equal(given.status, 0, given.stderr);
    assert.match(given.stdout, new RegExp(`^tls certificate: ${own.cert} \\(given, valid until \\d{4}-\\d{2}-\\d{2}\\)$`, 'm'));
    assert.match(given.stdout, new RegExp(`^tls fingerprint: SHA-256 ${ownFingerprint}$`, 'm'));
    assert.match(given.stdout, /^admin: admin \(created\)$/m, 'the failed runs made no admin, so this one does');
    assert.match(given.stdout, /^token: ghk_/m);
    assert.equal(existsSync(join(dataDir, 'tls')), false);
  });

  it('serve will not start without a certificate and key that belong together', () => {
    const dataDir = join(root, 'a');
    const serve = (env: NodeJS.ProcessEnv = {}) => gatehouse(['serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--pg-listen', '127.0.0.1:0', '--mysql-listen', '127.0.0.1:0'], '', env);
    const otherKey = join(root, 'b-key', 'other.key');
    const wrong = serve({ GATEHOUSE_TLS_CERT: own.cert, GATEHOUSE_TLS_KEY: join(dataDir, 'tls', 'gateway.key') });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, new RegExp(`^gatehouse: the TLS key ${join(dataDir, 'tls', 'gateway.key')} is not the key of the certificate ${own.cert}\\n$`));
    const missing = serve({ GATEHOUSE_TLS_CERT: own.cert, GATEHOUSE_TLS_KEY: otherKey });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, new RegExp(`^gatehouse: no TLS key at ${otherKey}`));
    assert.doesNotMatch(wrong.stdout + missing.stdout, /admin API on/);
  });
});
