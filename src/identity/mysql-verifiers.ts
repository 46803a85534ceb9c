import { createHash } from 'node:crypto';

/**
 * What the MySQL gateway keeps to check a secret (a password or an access token) without
 * holding it, one per MySQL authentication method (MySQL Client/Server Protocol, "Native
 * Authentication" and "SHA-2 Pluggable Authentication"):
 * - native = SHA1(SHA1(secret)): mysql_native_password's client proof is
 *   SHA1(secret) XOR SHA1(scramble ‖ native), which the server checks with native alone.
 * - sha2 = SHA256(SHA256(secret)): caching_sha2_password's fast path proof is
 *   SHA256(secret) XOR SHA256(sha2 ‖ scramble), checked with sha2 alone.
 *
 * Both are fast hashes, like the ones MySQL itself stores: someone who reads the store can try
 * to guess a weak password offline far faster than against its scrypt hash. A token has 256
 * random bits, so for tokens this costs nothing; docs/gateway-mysql.md says to prefer tokens.
 *
 * A token gets no sha2 verifier, on purpose: the store keeps SHA256(token) to look tokens up
 * (identity/tokens.ts), and SHA256(secret) is exactly what caching_sha2_password's fast path
 * proves knowledge of, so a fast-path check for a token would let anyone who reads the store
 * log in with it. A token therefore logs in over mysql_native_password, or over
 * caching_sha2_password's full authentication (the token itself, sent over TLS).
 */
export interface MysqlVerifiers {
  native: Buffer;
  sha2: Buffer;
}

export function mysqlVerifiers(secret: string): MysqlVerifiers {
  const utf8 = Buffer.from(secret, 'utf8');
  const sha1 = createHash('sha1').update(utf8).digest();
  const sha256 = createHash('sha256').update(utf8).digest();
  return {
    native: createHash('sha1').update(sha1).digest(),
    sha2: createHash('sha256').update(sha256).digest(),
  };
}
