import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_MYSQL,
  CLIENT_SSL,
  decodeHandshakeResponse41,
  decodeSslRequest,
  encodeAuthMoreData,
  encodeAuthSwitchRequest,
  encodeErr,
  encodeHandshakeV10,
  encodeOk,
  encodePacket,
  hasCaps,
  isSslRequest,
  PacketReader,
  unionCaps,
} from '../../src/gateway/mysql/codec/index.js';
import { checkNativeToken, checkSha2Token, nativeVerifier, parseCleartextResponse, sha2Verifier } from '../../src/gateway/mysql/auth-math.js';
import { connectUpstream, DEFAULT_CLIENT_CAPABILITIES, UpstreamError } from '../../src/gateway/mysql/upstream.js';
import type { UpstreamTarget } from '../../src/gateway/mysql/upstream.js';
import { createSelfSignedCertificate } from '../../src/gateway/tls.js';

/**
 * What the MariaDB on this machine cannot show (it has no TLS and no caching_sha2_password):
 * a scripted server built from the codec's own encoders plays MySQL 8 — TLS with a
 * self-signed certificate, caching_sha2_password's fast and full paths, RSA key retrieval,
 * a switch to mysql_native_password, and a plugin the dialer does not speak.
 */

const PASSWORD = 'sesame-' + randomBytes(4).toString('hex');
type Scenario = 'fast' | 'full' | 'switch-native' | 'ed25519' | 'wrong';

let cert = '';
let key = '';
let dir = '';
const servers: Server[] = [];
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

async function scripted(scenario: Scenario, options: { tls: boolean }): Promise<UpstreamTarget> {
  const server = createServer((raw) => {
    raw.on('error', () => {});
    let socket: Socket = raw;
    const scramble = randomBytes(20);
    const caps = unionCaps(DEFAULT_CLIENT_CAPABILITIES, CLIENT_MYSQL, options.tls ? CLIENT_SSL : 0);
    let reader = new PacketReader();
    let step = 0;
    let seq = 1;
    let secure = false;
    const send = (payload: Buffer, extra = Buffer.alloc(0)) => {
      socket.write(Buffer.concat([encodePacket(seq, payload), extra]));
      seq = (seq + 1) & 0xff;
    };
    const onPacket = (payload: Buffer, sequenceId: number) => {
      seq = (sequenceId + 1) & 0xff;
      if (step === 0 && isSslRequest(payload)) {
        decodeSslRequest(payload);
        // The client starts TLS at once: its ClientHello may have come in the same read.
        raw.removeAllListeners('data');
        raw.pause();
        const hello = reader.takeRemainder();
        if (hello.length > 0) raw.unshift(hello);
        const tls = new TLSSocket(raw, { isServer: true, cert, key });
        tls.on('error', () => {});
        tls.on('data', onData);
        socket = tls;
        secure = true;
        reader = new PacketReader();
        return;
      }
      step++;
      if (step === 1) {
        const response = decodeHandshakeResponse41(payload);
        assert.equal(response.username, 'app');
        assert.equal(hasCaps(response.capabilities, CLIENT_SSL), secure);
        if (scenario === 'switch-native') {
          send(encodeAuthSwitchRequest({ pluginName: 'mysql_native_password', data: Buffer.concat([scramble, Buffer.from([0])]) }));
        } else if (scenario === 'ed25519') {
          send(encodeAuthSwitchRequest({ pluginName: 'client_ed25519', data: randomBytes(32) }));
        } else if (scenario === 'wrong' || !checkSha2Token(sha2Verifier(PASSWORD), scramble, response.authResponse)) {
          send(encodeErr({ code: 1045, sqlstate: '28000', message: "Access denied for user 'app'" }));
        } else if (scenario === 'fast') {
          send(encodeAuthMoreData(Buffer.from([3])));
          // The OK, and in the same write a packet that belongs to the relay (the remainder).
          send(encodeOk({ status: 2 }, caps), Buffer.from('left over'));
        } else {
          send(encodeAuthMoreData(Buffer.from([4])));
        }
        return;
      }
      if (scenario === 'switch-native') {
        send(checkNativeToken(nativeVerifier(PASSWORD), scramble, payload) ? encodeOk({ status: 2 }, caps) : encodeErr({ code: 1045, sqlstate: '28000', message: 'denied' }));
        return;
      }
      // Full authentication: the password in clear over TLS, or a key request and then RSA-OAEP.
      if (!secure && payload.length === 1 && payload[0] === 2) {
        send(encodeAuthMoreData(Buffer.from(rsa.publicKey.export({ type: 'spki', format: 'pem' }))));
        return;
      }
      let password: string;
      if (secure) password = parseCleartextResponse(payload);
      else {
        const plain = privateDecrypt({ key: rsa.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, payload);
        password = parseCleartextResponse(Buffer.from(plain.map((b, i) => b ^ scramble[i % 20]!)));
      }
      send(password === PASSWORD ? encodeOk({ status: 2 }, caps) : encodeErr({ code: 1045, sqlstate: '28000', message: 'denied' }));
    };
    function onData(chunk: Buffer) {
      reader.push(chunk);
      for (let p = reader.next(); p !== null; p = reader.next()) onPacket(p.payload, p.sequenceId);
    }
    raw.on('data', onData);
    raw.write(
      encodePacket(
        0,
        encodeHandshakeV10({ serverVersion: '8.4.0', connectionId: 4242, scramble, capabilities: caps, characterSet: 255, status: 2, authPluginName: 'caching_sha2_password' }),
      ),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, user: 'app', password: PASSWORD, tls: 'disable', connectTimeoutMs: 3000 };
}

async function rejectsUpstream(target: UpstreamTarget, pattern: RegExp): Promise<void> {
  await assert.rejects(connectUpstream(target), (e: unknown) => e instanceof UpstreamError && pattern.test(e.message));
}

describe('MySQL upstream dialer against a scripted MySQL 8 server', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-mysql-tls-'));
    const files = { cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
    await createSelfSignedCertificate(files, []);
    cert = readFileSync(files.cert, 'utf8');
    key = readFileSync(files.key, 'utf8');
  });

  after(() => {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('caching_sha2_password fast path over TLS (require), handing over the bytes after the OK', async () => {
    const target = await scripted('fast', { tls: true });
    const conn = await connectUpstream({ ...target, tls: 'require' });
    assert.equal(conn.tls, true);
    assert.ok(conn.socket instanceof TLSSocket);
    assert.equal(conn.authPlugin, 'caching_sha2_password');
    assert.equal(conn.connectionId, 4242);
    assert.ok(hasCaps(conn.capabilities, unionCaps(CLIENT_SSL, CLIENT_DEPRECATE_EOF)));
    assert.equal(conn.remainder.toString(), 'left over');
    conn.socket.destroy();
  });

  it('caching_sha2_password full authentication sends the password over TLS only; RSA only when allowed', async () => {
    const target = await scripted('full', { tls: true });
    const conn = await connectUpstream({ ...target, tls: 'prefer' });
    assert.equal(conn.tls, true);
    conn.socket.destroy();
    const plain = await scripted('full', { tls: false });
    await rejectsUpstream({ ...plain, tls: 'prefer' }, /full caching_sha2_password authentication, which sends the password: use TLS, or allow/);
    const viaRsa = await connectUpstream({ ...plain, tls: 'prefer', allowPublicKeyRetrieval: true });
    assert.equal(viaRsa.tls, false);
    viaRsa.socket.destroy();
    await rejectsUpstream({ ...plain, tls: 'require' }, /does not offer TLS/);
  });

  it("verify-full checks the certificate: refused without its CA, accepted with it", async () => {
    const target = await scripted('fast', { tls: true });
    await rejectsUpstream({ ...target, tls: 'verify-full' }, /TLS with 127\.0\.0\.1:\d+ failed: .*self[- ]signed/i);
    const conn = await connectUpstream({ ...target, tls: 'verify-full', tlsCa: cert }); // the certificate holds 127.0.0.1 as an IP address name
    assert.equal((conn.socket as TLSSocket).authorized, true);
    conn.socket.destroy();
  });

  it('AuthSwitchRequest to mysql_native_password; a plugin the dialer does not speak is named; a refusal carries the ERR', async () => {
    const conn = await connectUpstream(await scripted('switch-native', { tls: false }));
    assert.equal(conn.authPlugin, 'mysql_native_password');
    conn.socket.destroy();
    await rejectsUpstream(await scripted('ed25519', { tls: false }), /authentication plugin client_ed25519, which is not supported/);
    await rejectsUpstream(await scripted('wrong', { tls: false }), /Access denied for user 'app' \(1045\/28000\)/);
    const wrongPassword = await scripted('fast', { tls: false });
    await rejectsUpstream({ ...wrongPassword, password: 'nope' }, /\(1045\/28000\)/);
  });
});
