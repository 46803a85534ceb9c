import { createHash, randomBytes } from 'node:crypto';

/**
 * Access tokens: 32 random bytes, base64url, behind a recognisable prefix (so secret
 * scanners and people can tell one when they see it). Only SHA-256 of the token is stored:
 * with 256 bits of entropy a fast hash is enough, and lookup by hash needs no scan.
 */
export const TOKEN_PREFIX = 'ghk_';
const TOKEN_PATTERN = /^ghk_[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function looksLikeToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** What lists show of a token: its prefix and first characters, never enough to use it. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
