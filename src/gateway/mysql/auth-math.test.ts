import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt, randomBytes } from 'node:crypto';
import {
  checkNativeToken,
  checkSha2Token,
  nativeClientToken,
  nativeVerifier,
  nativeVerifierString,
  parseCleartextResponse,
  sha2CleartextResponse,
  sha2ClientToken,
  sha2RsaEncryptedPassword,
  sha2Verifier,
} from './auth-math.js';

const bytes = (...b: number[]) => Buffer.from(b);

// Vectors captured from real exchanges (Wireshark, the MySQL Python connector) and kept in
// Boost.MySQL's unit tests (test/unit/detail/auth/mysql_native_password.cpp, caching_sha2_password.cpp).
const NATIVE = {
  password: 'root',
  scramble: bytes(0x79, 0x64, 0x3d, 0x12, 0x1d, 0x71, 0x74, 0x47, 0x5f, 0x48, 0x3e, 0x3e, 0x0b, 0x62, 0x0a, 0x03, 0x3d, 0x27, 0x3a, 0x4c),
  token: bytes(0xf1, 0xb2, 0xfb, 0x1c, 0x8d, 0xe7, 0x5d, 0xb8, 0xeb, 0xa8, 0x12, 0x6a, 0xd1, 0x0f, 0xe9, 0xb1, 0x10, 0x50, 0xd4, 0x28),
};
const SHA2 = {
  password: 'hola',
  scramble: bytes(0x3e, 0x3b, 0x04, 0x55, 0x04, 0x70, 0x16, 0x3a, 0x4c, 0x15, 0x35, 0x03, 0x15, 0x76, 0x73, 0x22, 0x46, 0x08, 0x18, 0x01),
  token: bytes(
    0xa1, 0xc1, 0xe1, 0xe9, 0x1b, 0xb6, 0x54, 0x4b, 0xa7, 0x37, 0x4b, 0x9c, 0x56, 0x6d, 0x69, 0x3e,
    0x06, 0xca, 0x07, 0x02, 0x98, 0xac, 0xd1, 0x06, 0x18, 0xc6, 0x90, 0x38, 0x9d, 0x88, 0xe1, 0x20,
  ),
};

describe('mysql_native_password', () => {
  it('computes the token of a captured exchange, and the server accepts it with the verifier alone', () => {
    assert.deepEqual(nativeClientToken(NATIVE.password, NATIVE.scramble), NATIVE.token);
    assert.equal(checkNativeToken(nativeVerifier(NATIVE.password), NATIVE.scramble, NATIVE.token), true);
    // A scramble sent with its trailing NUL (AuthSwitchRequest data) gives the same token.
    assert.deepEqual(nativeClientToken(NATIVE.password, Buffer.concat([NATIVE.scramble, bytes(0)])), NATIVE.token);
  });

  it("verifiers match MariaDB's PASSWORD() (values printed by SELECT PASSWORD(…))", () => {
    assert.equal(nativeVerifierString(nativeVerifier('root')), '*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B');
    assert.equal(nativeVerifierString(nativeVerifier('hola')), '*3F50515DDEE62F18A2B1CE3BE819CFB2F3C869F1');
    assert.equal(nativeVerifierString(nativeVerifier('pässwörd')), '*0225EC5004ABB0B8CB557541FE53DE1A5D8CC825');
  });

  it('refuses a wrong password, another scramble, a damaged or short token', () => {
    const v = nativeVerifier('root');
    assert.equal(checkNativeToken(v, NATIVE.scramble, nativeClientToken('Root', NATIVE.scramble)), false);
    assert.equal(checkNativeToken(v, randomBytes(20), NATIVE.token), false);
    const damaged = Buffer.from(NATIVE.token);
    damaged[7]! ^= 1;
    assert.equal(checkNativeToken(v, NATIVE.scramble, damaged), false);
    assert.equal(checkNativeToken(v, NATIVE.scramble, NATIVE.token.subarray(0, 19)), false);
    assert.equal(checkNativeToken(v, NATIVE.scramble, Buffer.alloc(0)), false);
  });

  it('an empty password is an empty response, and matches only an account without a password', () => {
    assert.equal(nativeClientToken('', NATIVE.scramble).length, 0);
    assert.equal(checkNativeToken(null, NATIVE.scramble, Buffer.alloc(0)), true);
    assert.equal(checkNativeToken(null, NATIVE.scramble, NATIVE.token), false);
    assert.equal(checkNativeToken(nativeVerifier('x'), NATIVE.scramble, Buffer.alloc(0)), false);
  });
});

describe('caching_sha2_password', () => {
  it('computes the fast-path token of a captured exchange, and the server accepts it with the verifier alone', () => {
    assert.deepEqual(sha2ClientToken(SHA2.password, SHA2.scramble), SHA2.token);
    assert.equal(checkSha2Token(sha2Verifier(SHA2.password), SHA2.scramble, SHA2.token), true);
  });

  it('refuses a wrong password, another scramble, a damaged token; empty passwords as for native', () => {
    const v = sha2Verifier('hola');
    assert.equal(checkSha2Token(v, SHA2.scramble, sha2ClientToken('hola!', SHA2.scramble)), false);
    assert.equal(checkSha2Token(v, randomBytes(20), SHA2.token), false);
    assert.equal(checkSha2Token(v, SHA2.scramble, SHA2.token.subarray(1)), false);
    assert.equal(sha2ClientToken('', SHA2.scramble).length, 0);
    assert.equal(checkSha2Token(null, SHA2.scramble, Buffer.alloc(0)), true);
    assert.equal(checkSha2Token(v, SHA2.scramble, Buffer.alloc(0)), false);
  });

  it('full authentication: the cleartext response over TLS, and the RSA-OAEP one without', () => {
    assert.deepEqual(sha2CleartextResponse('hola'), Buffer.from('hola\0'));
    assert.equal(parseCleartextResponse(Buffer.from('hola\0')), 'hola');
    assert.equal(parseCleartextResponse(Buffer.from('hola')), 'hola');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const sealed = sha2RsaEncryptedPassword('a much longer password than the scramble', SHA2.scramble, publicKey.export({ type: 'spki', format: 'pem' }));
    const plain = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING }, sealed);
    // The server XORs with the scramble (repeated) again to read the password.
    const password = Buffer.from(plain.map((b, i) => b ^ SHA2.scramble[i % 20]!));
    assert.equal(parseCleartextResponse(password), 'a much longer password than the scramble');
  });
});
