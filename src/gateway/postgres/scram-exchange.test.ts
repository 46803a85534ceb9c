import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { scramVerifier } from '../../identity/scram.js';
import {
  authMessage,
  parseClientFinal,
  parseClientFirst,
  ScramMessageError,
  serverFirst,
  verifyClientFinal,
} from './scram-exchange.js';

/** A client's side of RFC 5802 §3, written out here so the test does not share code with the server. */
function clientProof(password: string, salt: Buffer, iterations: number, message: string): Buffer {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const signature = createHmac('sha256', storedKey).update(message).digest();
  return Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
}

test('a full exchange: the right password or token matches its verifier, with the server signature', () => {
  const salt = Buffer.from('0123456789abcdef');
  const verifiers = [scramVerifier('the-password', salt, 4096), scramVerifier('ghk_token', salt, 4096)];
  for (const [secret, index] of [
    ['the-password', 0],
    ['ghk_token', 1],
  ] as const) {
    const first = parseClientFirst('n,,n=,r=rOprNGfwEbeRWgbNEkqO');
    const server = serverFirst(first, salt, 4096);
    assert.match(server.message, /^r=rOprNGfwEbeRWgbNEkqO[A-Za-z0-9+/=]+,s=MDEyMzQ1Njc4OWFiY2RlZg==,i=4096$/);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${server.nonce}`;
    const message = `${first.bare},${server.message},${withoutProof}`;
    const proof = clientProof(secret, salt, 4096, message);
    const final = parseClientFinal(`${withoutProof},p=${proof.toString('base64')}`, first, server);
    assert.equal(authMessage(first, server, final), message);
    const match = verifyClientFinal(verifiers, message, final.proof);
    assert.equal(match?.index, index);
    const serverKey = verifiers[index]!.serverKey;
    assert.equal(match?.serverFinal, `v=${createHmac('sha256', serverKey).update(message).digest('base64')}`);
    assert.equal(verifyClientFinal(verifiers, message, clientProof('wrong', salt, 4096, message)), null);
  }
});

test('malformed or unsupported client messages are refused with a reason', () => {
  for (const [message, reason] of [
    ['p=tls-server-end-point,,n=,r=abc', /channel binding is not supported/],
    ['n,a=admin,n=,r=abc', /authorization identity/],
    ['n,,m=ext,n=,r=abc', /extensions/],
    ['n,,r=abc', /malformed/],
    ['garbage', /malformed/],
    ['n,,n=,r=', /malformed SCRAM client nonce/],
  ] as const) {
    assert.throws(() => parseClientFirst(message), (e: Error) => e instanceof ScramMessageError && reason.test(e.message), message);
  }
  const first = parseClientFirst('n,,n=,r=abc');
  const server = serverFirst(first, Buffer.alloc(16), 4096);
  const c = Buffer.from('n,,').toString('base64');
  assert.throws(() => parseClientFinal(`c=${c},r=${server.nonce}`, first, server), /malformed/);
  assert.throws(() => parseClientFinal(`c=${c},r=other,p=AAAA`, first, server), /nonce does not match/);
  assert.throws(() => parseClientFinal(`c=${Buffer.from('y,,').toString('base64')},r=${server.nonce},p=AAAA`, first, server), /channel binding does not match/);
});
