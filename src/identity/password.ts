import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords for the API, hashed with scrypt (RFC 7914), a memory-hard KDF, and stored as a
 * PHC string: $scrypt$ln=17,r=8,p=1$<salt b64>$<hash b64>. The parameters travel with the
 * hash, so raising the cost later leaves old hashes verifiable.
 * Cost: OWASP's minimum for scrypt is N=2^17, r=8, p=1 (128 MiB, ~0.3 s on one core); it
 * runs on libuv's thread pool, never on the event loop.
 */
export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { log2N: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  // maxmem must exceed 128·N·r bytes or node refuses the parameters.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost);
  return `$scrypt$ln=${cost.log2N},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

/** Constant-time check; a malformed stored hash verifies nothing (fail closed). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = PHC.exec(stored);
  if (!m) return false;
  const cost = { log2N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.log2N < 10 || cost.log2N > 22) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Why a new password is refused, or null. Length over composition rules (NIST SP 800-63B §5.1.1.2). */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}
