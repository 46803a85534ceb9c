import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './master-key.js';
import { ConnectionError } from './errors.js';

/**
 * Upstream credentials at rest: AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit nonce per
 * seal. The sealed text is `v1.<key id>.<nonce b64url>.<ciphertext‖tag b64url>`.
 * The associated data binds a sealed value to its owner (e.g. the connection id), so a
 * value copied onto another row does not open there.
 */
const VERSION = 'v1';
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;

export function seal(key: MasterKey, plaintext: string, associatedData: string): string {
  const nonce = randomBytes(NONCE_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, key.id, nonce.toString('base64url'), body.toString('base64url')].join('.');
}

export function open(key: MasterKey, sealed: string, associatedData: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new ConnectionError('a sealed secret is malformed');
  const [, keyId, nonceText, bodyText] = parts as [string, string, string, string];
  if (keyId !== key.id) {
    throw new ConnectionError(`a secret is sealed under master key ${keyId}, but the master key in use is ${key.id}`);
  }
  const nonce = Buffer.from(nonceText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (nonce.length !== NONCE_LENGTH || body.length < TAG_LENGTH) throw new ConnectionError('a sealed secret is malformed');
  const decipher = createDecipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_LENGTH)), decipher.final()]).toString('utf8');
  } catch {
    throw new ConnectionError('a sealed secret does not open: it was changed, or belongs to another record');
  }
}
