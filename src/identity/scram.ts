import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslprep } from '@mongodb-js/saslprep';

/**
 * SCRAM-SHA-256 verifiers (RFC 5802 §3, RFC 7677), so that a gateway can authenticate a
 * database client without ever holding the password or token:
 *   SaltedPassword = Hi(Normalize(password), salt, i)   (PBKDF2-HMAC-SHA-256)
 *   ClientKey      = HMAC(SaltedPassword, "Client Key")
 *   StoredKey      = H(ClientKey)
 *   ServerKey      = HMAC(SaltedPassword, "Server Key")
 * Only StoredKey and ServerKey are kept.
 */
export interface ScramVerifier {
  storedKey: Buffer;
  serverKey: Buffer;
}

/** PostgreSQL's default scram_iterations. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;
export const SCRAM_SALT_LENGTH = 16;

export function newScramSalt(): Buffer {
  return randomBytes(SCRAM_SALT_LENGTH);
}

/**
 * Normalize() of RFC 5802 is SASLprep (RFC 4013). Like PostgreSQL (and libpq), a string
 * SASLprep refuses is used as it is, so every password the client can type still works.
 */
export function normalizeSecret(secret: string): string {
  try {
    return saslprep(secret);
  } catch {
    return secret;
  }
}

export function scramVerifier(secret: string, salt: Buffer, iterations: number): ScramVerifier {
  const salted = pbkdf2Sync(normalizeSecret(secret), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/**
 * Checks a client proof against one verifier (RFC 5802 §3):
 *   ClientSignature = HMAC(StoredKey, AuthMessage); ClientKey = ClientProof XOR ClientSignature;
 *   the proof holds when H(ClientKey) = StoredKey. Returns the ServerSignature to send, or null.
 */
export function checkScramProof(verifier: ScramVerifier, authMessage: string, clientProof: Buffer): Buffer | null {
  const signature = createHmac('sha256', verifier.storedKey).update(authMessage).digest();
  if (clientProof.length !== signature.length) return null;
  const clientKey = Buffer.alloc(signature.length);
  for (let i = 0; i < signature.length; i++) clientKey[i] = clientProof[i]! ^ signature[i]!;
  const stored = createHash('sha256').update(clientKey).digest();
  if (!timingSafeEqual(stored, verifier.storedKey)) return null;
  return createHmac('sha256', verifier.serverKey).update(authMessage).digest();
}
