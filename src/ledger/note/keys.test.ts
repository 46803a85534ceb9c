import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { NoteError } from './errors.js';
import { generateSignerKey, keyId, parseSignerKey, parseVerifierKey, verifierKeyOf, type Signer } from './keys.js';

// Test vectors from golang.org/x/mod/sumdb/note, note_test.go (TestNewVerifier,
// TestNewSigner, TestVerifierList); the same keys appear in the package doc of note.go.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
// From TestNewVerifier: "wrong length key, with adjusted key hash" and
// "unknown algorithm, with adjusted key hash".
const GO_BAD_VKEYS = [
  'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
  'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
];

function assertNoteError(fn: () => unknown, code: NoteError['code'], message?: RegExp): NoteError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NoteError, `expected NoteError(${code}), got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.name, 'NoteError');
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Go's manglings: every proper substring and every single-byte increment must fail. */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i++) {
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  }
  return out;
}

describe('keyId', () => {
  it('is SHA-256(name || 0x0A || 0x01 || public key)[:4] (signed-note §Ed25519 signatures)', () => {
    const v = parseVerifierKey(PETER_VKEY);
    assert.equal(keyId('PeterNeumann', v.publicKey).toString('hex'), 'c74f20a3');
    const manual = createHash('sha256')
      .update(Buffer.concat([Buffer.from('PeterNeumann\n'), Buffer.of(0x01), v.publicKey]))
      .digest()
      .subarray(0, 4);
    assert.deepEqual(keyId('PeterNeumann', v.publicKey), manual);
    // Same key, other name: other id (the name is part of the key's identity).
    assert.notDeepEqual(keyId('PeterNeumann2', v.publicKey), manual);
  });

  it('refuses a public key that is not 32 bytes', () => {
    assertNoteError(() => keyId('x', Buffer.alloc(33)), 'bad_key', /32 bytes/);
  });
});

describe('parseVerifierKey', () => {
  it('parses the Go reference verifier keys', () => {
    const peter = parseVerifierKey(PETER_VKEY);
    assert.equal(peter.name, 'PeterNeumann');
    assert.equal(peter.keyId.toString('hex'), 'c74f20a3');
    assert.equal(peter.publicKey.length, 32);
    const enoch = parseVerifierKey(ENOCH_VKEY);
    assert.equal(enoch.name, 'EnochRoot');
    assert.equal(enoch.keyId.toString('hex'), 'af0cfe78');
  });

  it('refuses every substring and single-byte increment of a valid key (Go TestNewVerifier)', () => {
    for (const bad of manglings(PETER_VKEY)) assertNoteError(() => parseVerifierKey(bad), 'bad_key');
  });

  it('refuses the Go wrong-length and unknown-algorithm keys', () => {
    // Go's wrong-length vector also has non-zero padding bits, which we refuse first.
    assertNoteError(() => parseVerifierKey(GO_BAD_VKEYS[0]!), 'bad_key', /not canonical base64/);
    // So also try a canonical 35-byte key whose id Go's way (SHA-256 over name, newline
    // and all key bytes) is right: only the length can reject it.
    const long = Buffer.concat([Buffer.of(0x01), parseVerifierKey(PETER_VKEY).publicKey, Buffer.of(1, 2)]);
    const id = createHash('sha256').update('PeterNeumann\n').update(long).digest().subarray(0, 4).toString('hex');
    assertNoteError(() => parseVerifierKey(`PeterNeumann+${id}+${long.toString('base64')}`), 'bad_key', /Ed25519 key is 34 bytes, want 32/);
    assertNoteError(() => parseVerifierKey(GO_BAD_VKEYS[1]!), 'bad_key', /unsupported signature type 0x65/);
  });

  it('trims exactly one trailing newline', () => {
    assert.equal(parseVerifierKey(`${PETER_VKEY}\n`).name, 'PeterNeumann');
    assertNoteError(() => parseVerifierKey(`${PETER_VKEY}\n\n`), 'bad_key');
    assertNoteError(() => parseVerifierKey(`${PETER_VKEY}\r\n`), 'bad_key');
    assertNoteError(() => parseVerifierKey(` ${PETER_VKEY}`), 'bad_key', /space/);
    assertNoteError(() => parseVerifierKey(`${PETER_VKEY} `), 'bad_key', /base64/);
  });

  it('explains what is wrong', () => {
    assertNoteError(() => parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'bad_key', /8 lowercase hex/);
    assertNoteError(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'bad_key', /key id c74f20a4 does not match the key \(computed c74f20a3\)/);
    assertNoteError(() => parseVerifierKey('Peter+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'bad_key', /does not match/);
    assertNoteError(() => parseVerifierKey('PeterNeumann+c74f20a3'), 'bad_key', /<name>\+<key id>\+<key>/);
    assertNoteError(() => parseVerifierKey('+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'bad_key', /key name "" is empty/);
    assertNoteError(() => parseVerifierKey('Peter\u00a0Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), 'bad_key', /space character \(U\+00A0\)/);
    assertNoteError(() => parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW'), 'bad_key', /base64 alphabet/);
  });
});

describe('parseSignerKey', () => {
  it('parses the Go reference signer key and matches its verifier key', () => {
    const signer = parseSignerKey(PETER_SKEY);
    assert.equal(signer.name, 'PeterNeumann');
    assert.equal(signer.keyId.toString('hex'), 'c74f20a3');
    assert.equal(verifierKeyOf(signer), PETER_VKEY);
  });

  it('refuses every substring and single-byte increment of a valid key (Go TestNewSigner)', () => {
    for (const bad of manglings(PETER_SKEY)) assertNoteError(() => parseSignerKey(bad), 'bad_key');
  });

  it('never quotes the secret in its messages', () => {
    const secret = PETER_SKEY.slice(PETER_SKEY.lastIndexOf('+') + 1);
    for (const bad of [PETER_SKEY.replace('c74f20a3', 'c74f20a4'), `${PETER_SKEY}=`, PETER_SKEY.replace('PeterNeumann', 'Peter Neumann')]) {
      const error = assertNoteError(() => parseSignerKey(bad), 'bad_key');
      assert.ok(!error.message.includes(secret.slice(4, 20)), error.message);
    }
  });

  it('tells a verifier key apart from a signer key', () => {
    assertNoteError(() => parseSignerKey(PETER_VKEY), 'bad_key', /must start with "PRIVATE\+KEY\+"/);
    assertNoteError(() => parseVerifierKey(PETER_SKEY), 'bad_key');
  });

  it('trims exactly one trailing newline', () => {
    assert.equal(parseSignerKey(`${PETER_SKEY}\n`).name, 'PeterNeumann');
    assertNoteError(() => parseSignerKey(`${PETER_SKEY}\n\n`), 'bad_key');
  });
});

describe('generateSignerKey', () => {
  it('round-trips: generate → parse → sign → verify, with matching key ids', () => {
    const { signerKey, verifierKey } = generateSignerKey('gatehouse.test/log');
    assert.match(signerKey, /^PRIVATE\+KEY\+gatehouse\.test\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    assert.match(verifierKey, /^gatehouse\.test\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const signer = parseSignerKey(signerKey);
    const verifier = parseVerifierKey(verifierKey);
    assert.equal(signer.name, verifier.name);
    assert.deepEqual(signer.keyId, verifier.keyId);
    assert.equal(signerKey.split('+')[3], verifierKey.split('+')[1]);
    assert.deepEqual(keyId(verifier.name, verifier.publicKey), verifier.keyId);
    assert.equal(verifierKeyOf(signer), verifierKey);

    const message = Buffer.from('hi');
    const signature = signer.sign(message);
    assert.equal(signature.length, 64);
    assert.ok(verifier.verify(message, signature));
    // Go testSignerAndVerifier: a corrupt signature or message must not verify.
    signature[0]! ^= 1;
    assert.ok(!verifier.verify(message, signature));
    signature[0]! ^= 1;
    assert.ok(!verifier.verify(Buffer.from('hj'), signature));
    assert.ok(!verifier.verify(message, signature.subarray(0, 63)));
  });

  it('generates distinct keys', () => {
    assert.notEqual(generateSignerKey('a').verifierKey, generateSignerKey('a').verifierKey);
  });

  it('refuses invalid names (signed-note §Format)', () => {
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u2003b', 'a\nb', 'a\u0001b', 'a\ud800b']) {
      assertNoteError(() => generateSignerKey(name), 'bad_key', /key name/);
    }
    // Non-ASCII names are fine.
    assert.ok(parseSignerKey(generateSignerKey('quasimodo.example/è').signerKey));
  });
});

describe('verifierKeyOf', () => {
  it('refuses signers that do not expose a matching public key', () => {
    const real = parseSignerKey(PETER_SKEY);
    const opaque: Signer = { name: real.name, keyId: real.keyId, sign: (m) => real.sign(m) };
    assertNoteError(() => verifierKeyOf(opaque), 'bad_key', /does not expose its Ed25519 public key/);
    const lying = { ...opaque, publicKey: parseVerifierKey(ENOCH_VKEY).publicKey };
    assertNoteError(() => verifierKeyOf(lying), 'bad_key', /does not match its public key/);
    // A copy that keeps the public key still works.
    assert.equal(verifierKeyOf({ ...real }), PETER_VKEY);
  });
});
