import { constants, createHash, publicEncrypt, timingSafeEqual } from 'node:crypto';
import { mysqlVerifiers } from '../../identity/mysql-verifiers.js';

/**
 * The scramble arithmetic of MySQL's password plugins, both sides: what a client sends
 * (for the upstream dialer) and how a server checks it holding only a verifier (for the
 * gateway's own login). Passwords are taken as UTF-8, as the mysql client sends them.
 *
 * mysql_native_password ("Native Authentication"):
 *   token    = SHA1(pw) XOR SHA1(scramble ‖ SHA1(SHA1(pw)))
 *   verifier = SHA1(SHA1(pw))  (what mysql.user keeps, hex, after '*')
 *   check:     SHA1(token XOR SHA1(scramble ‖ verifier)) = verifier
 *
 * caching_sha2_password fast path ("Caching SHA-2 Pluggable Authentication", "fast
 * authentication"):
 *   token    = SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) ‖ scramble)
 *   verifier = SHA256(SHA256(pw))  (the server's in-memory cache entry)
 *   check:     SHA256(token XOR SHA256(verifier ‖ scramble)) = verifier
 *
 * An empty password is sent as an empty auth response (no token at all), by both plugins.
 */

const sha1 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
};

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i % b.length]!;
  return out;
}

/** The 20 bytes both plugins hash: a scramble longer than that (a trailing NUL) is cut, as the server does. */
function scramble20(scramble: Buffer): Buffer {
  return scramble.length > 20 ? scramble.subarray(0, 20) : scramble;
}

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const EMPTY = Buffer.alloc(0);

/** SHA1(SHA1(password)); the control plane stores it (identity/mysql-verifiers.ts). */
export function nativeVerifier(password: string): Buffer {
  return mysqlVerifiers(password).native;
}

/** The auth response for mysql_native_password; empty for an empty password. */
export function nativeClientToken(password: string, scramble: Buffer): Buffer {
  if (password === '') return EMPTY;
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  return xor(stage1, sha1(scramble20(scramble), sha1(stage1)));
}

/**
 * Checks a mysql_native_password response against the verifier. `verifier` null stands for
 * an account with an empty password, which only an empty response matches.
 */
export function checkNativeToken(verifier: Buffer | null, scramble: Buffer, token: Buffer): boolean {
  if (verifier === null) return token.length === 0;
  if (token.length !== 20 || verifier.length !== 20) return false;
  const stage1 = xor(token, sha1(scramble20(scramble), verifier));
  return constantTimeEqual(sha1(stage1), verifier);
}

/** The MySQL account string for a native verifier: '*' and upper-case hex (mysql.user.authentication_string). */
export function nativeVerifierString(verifier: Buffer): string {
  return `*${verifier.toString('hex').toUpperCase()}`;
}

/** SHA256(SHA256(password)); the control plane stores it (identity/mysql-verifiers.ts). */
export function sha2Verifier(password: string): Buffer {
  return mysqlVerifiers(password).sha2;
}

/** The fast-path auth response for caching_sha2_password; empty for an empty password. */
export function sha2ClientToken(password: string, scramble: Buffer): Buffer {
  if (password === '') return EMPTY;
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  return xor(stage1, sha256(sha256(stage1), scramble20(scramble)));
}

/** Checks a caching_sha2_password fast-path response; `verifier` null stands for an empty password. */
export function checkSha2Token(verifier: Buffer | null, scramble: Buffer, token: Buffer): boolean {
  if (verifier === null) return token.length === 0;
  if (token.length !== 32 || verifier.length !== 32) return false;
  const stage1 = xor(token, sha256(verifier, scramble20(scramble)));
  return constantTimeEqual(sha256(stage1), verifier);
}

/**
 * caching_sha2_password full authentication over TLS: the password in clear, NUL-terminated
 * ("caching_sha2_password information": over a secure transport the client sends it as is).
 */
export function sha2CleartextResponse(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]);
}

/** Reads a full-authentication response back into the password (the gateway's side). */
export function parseCleartextResponse(data: Buffer): string {
  const end = data.indexOf(0);
  return data.toString('utf8', 0, end < 0 ? data.length : end);
}

/**
 * caching_sha2_password full authentication without TLS: the client asks for the server's
 * RSA public key (AuthMoreData 0x02), then sends (password ‖ NUL) XOR scramble (repeated),
 * encrypted with RSA-OAEP (MySQL 8.0.5 and later; sha256_password and caching_sha2_password).
 */
export function sha2RsaEncryptedPassword(password: string, scramble: Buffer, publicKeyPem: string | Buffer): Buffer {
  const plain = xor(sha2CleartextResponse(password), scramble20(scramble));
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, plain);
}
