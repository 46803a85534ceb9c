/**
 * Ed25519 note keys: key ids, the text encodings of signer and verifier keys, and
 * Signer/Verifier objects backed by node:crypto.
 *
 * Key ids follow c2sp.org/signed-note §Signatures and §Ed25519 signatures. The key
 * texts are not in the C2SP spec; they are the encodings of golang.org/x/mod/sumdb/note
 * (NewSigner, NewVerifier, GenerateKey), which the wider tlog ecosystem uses, so keys
 * move between Gatehouse and Go tools unchanged:
 *
 *   verifier key:  <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer key:    PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
 *
 * The literal "PRIVATE+KEY+" prefix is there so nobody mistakes a signer key for the
 * public one. Error messages below never quote signer key text, only the name.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import { NoteError } from './errors.js';
import { keyNameProblem } from './text.js';

/** Signs note texts. `keyId` is the 4-byte key id that prefixes every signature. */
export interface Signer {
  name: string;
  keyId: Buffer;
  sign(message: Uint8Array): Buffer;
}

/** Checks signatures by one key, identified in notes by `name` plus `keyId`. */
export interface Verifier {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** The Signer parseSignerKey returns; it also carries its public key for verifierKeyOf. */
export interface Ed25519Signer extends Signer {
  readonly publicKey: Buffer;
}

/** Signature type identifier byte for Ed25519 (signed-note §Signature types). */
const ALG_ED25519 = 0x01;
const ED25519_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const SIGNER_PREFIX = 'PRIVATE+KEY+';

// node:crypto imports raw Ed25519 keys only inside ASN.1 wrappers. These are the fixed
// DER headers of RFC 8410 (§7 PKCS#8 OneAsymmetricKey, §4 SubjectPublicKeyInfo) for
// id-Ed25519 (OID 1.3.101.112); the 32 key bytes follow them.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4]
 * (signed-note §Ed25519 signatures). `publicKey` is the raw key, without the 0x01.
 */
export function keyId(name: string, publicKey: Uint8Array): Buffer {
  if (publicKey.length !== ED25519_KEY_BYTES) {
    throw new NoteError('bad_key', `an Ed25519 public key is ${ED25519_KEY_BYTES} bytes, not ${publicKey.length}`);
  }
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, ALG_ED25519))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** Creates a new Ed25519 key named `name` and returns its signer and verifier key texts. */
export function generateSignerKey(name: string): { signerKey: string; verifierKey: string } {
  checkName(name, 'cannot generate a key');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = unwrap(privateKey.export({ format: 'der', type: 'pkcs8' }), PKCS8_ED25519_PREFIX);
  const pub = unwrap(publicKey.export({ format: 'der', type: 'spki' }), SPKI_ED25519_PREFIX);
  const id = keyId(name, pub).toString('hex');
  const signerKey = `${SIGNER_PREFIX}${name}+${id}+${encodeBase64(Buffer.concat([Uint8Array.of(ALG_ED25519), seed]))}`;
  seed.fill(0);
  return { signerKey, verifierKey: formatVerifierKey(name, pub) };
}

/** Parses a signer key text; trailing "\n" (one) is allowed so key files can end in a newline. */
export function parseSignerKey(text: string): Ed25519Signer {
  const line = stripOneNewline(text);
  if (!line.startsWith(SIGNER_PREFIX)) {
    throw new NoteError('bad_key', 'signer key must start with "PRIVATE+KEY+" (is this a verifier key?)');
  }
  // Never echo the key text: it is the secret.
  const { name, id, keyBytes } = splitKeyText(line.slice(SIGNER_PREFIX.length), 'signer key');
  const seed = keyBytes.subarray(1);
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new NoteError('bad_key', `signer key ${name}: not a usable Ed25519 key (${(error as Error).message})`);
  } finally {
    // The KeyObject holds the key from here on; do not leave copies of the seed around.
    der.fill(0);
    keyBytes.fill(0);
  }
  const publicKey = unwrap(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }), SPKI_ED25519_PREFIX);
  // The text's key id is of the public key, which we only know after deriving it.
  checkKeyId(name, id, publicKey, 'signer key');
  return Object.freeze({
    name,
    keyId: keyId(name, publicKey),
    publicKey,
    sign: (message: Uint8Array) => cryptoSign(null, message, privateKey),
  });
}

/** Parses a verifier key text; one trailing "\n" is allowed. */
export function parseVerifierKey(text: string): Verifier {
  const line = stripOneNewline(text);
  const what = `verifier key ${JSON.stringify(line)}`;
  const { name, id, keyBytes } = splitKeyText(line, what);
  const publicKey = keyBytes.subarray(1);
  checkKeyId(name, id, publicKey, what);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
  } catch (error) {
    throw new NoteError('bad_key', `${what}: not a usable Ed25519 public key (${(error as Error).message})`);
  }
  return Object.freeze({
    name,
    keyId: keyId(name, publicKey),
    publicKey: Buffer.from(publicKey),
    verify: (message: Uint8Array, signature: Uint8Array) => {
      if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
      try {
        return cryptoVerify(null, message, key, signature);
      } catch {
        return false;
      }
    },
  });
}

/**
 * The verifier key text for a signer made by parseSignerKey. Other Signer
 * implementations must expose a 32-byte `publicKey` whose key id matches, since an
 * Ed25519 public key cannot be recovered from signatures.
 */
export function verifierKeyOf(signer: Signer): string {
  const publicKey: unknown = (signer as Partial<Ed25519Signer>).publicKey;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_KEY_BYTES) {
    throw new NoteError('bad_key', `signer ${signer.name} does not expose its Ed25519 public key; cannot derive its verifier key`);
  }
  checkName(signer.name, 'signer');
  if (!keyId(signer.name, publicKey).equals(signer.keyId)) {
    throw new NoteError('bad_key', `signer ${signer.name}: its key id does not match its public key`);
  }
  return formatVerifierKey(signer.name, publicKey);
}

function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const keyText = encodeBase64(Buffer.concat([Uint8Array.of(ALG_ED25519), publicKey]));
  return `${name}+${keyId(name, publicKey).toString('hex')}+${keyText}`;
}

function stripOneNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** Splits "<name>+<hex id>+<base64 key>" and checks everything but the key id itself. */
function splitKeyText(text: string, what: string): { name: string; id: Buffer; keyBytes: Buffer } {
  // Split at the first two "+" only: names cannot contain "+", base64 can.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) {
    throw new NoteError('bad_key', `${what}: expected <name>+<key id>+<key>`);
  }
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const keyText = text.slice(second + 1);
  checkName(name, what);
  // Go prints the id with %08x; we accept only that form, so one key has one text.
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw new NoteError('bad_key', `${what}: key id must be 8 lowercase hex digits, got ${JSON.stringify(idHex)}`);
  }
  const decoded = decodeBase64(keyText);
  if (!decoded.ok) throw new NoteError('bad_key', `${what}: key ${decoded.reason}`);
  const keyBytes = decoded.bytes;
  if (keyBytes.length === 0) throw new NoteError('bad_key', `${what}: key is empty`);
  if (keyBytes[0] !== ALG_ED25519) {
    throw new NoteError(
      'bad_key',
      `${what}: unsupported signature type 0x${keyBytes[0]!.toString(16).padStart(2, '0')}; only Ed25519 (0x01) is supported`,
    );
  }
  if (keyBytes.length !== 1 + ED25519_KEY_BYTES) {
    throw new NoteError('bad_key', `${what}: Ed25519 key is ${keyBytes.length - 1} bytes, want ${ED25519_KEY_BYTES}`);
  }
  return { name, id: Buffer.from(idHex, 'hex'), keyBytes };
}

function checkKeyId(name: string, id: Buffer, publicKey: Uint8Array, what: string): void {
  const computed = keyId(name, publicKey);
  if (!computed.equals(id)) {
    throw new NoteError(
      'bad_key',
      `${what}: key id ${id.toString('hex')} does not match the key (computed ${computed.toString('hex')}); wrong name or damaged key?`,
    );
  }
}

function checkName(name: string, what: string): void {
  const problem = keyNameProblem(name);
  if (problem) throw new NoteError('bad_key', `${what}: key name ${JSON.stringify(name)} ${problem}`);
}

function unwrap(der: Buffer, prefix: Buffer): Buffer {
  if (der.length !== prefix.length + ED25519_KEY_BYTES || !der.subarray(0, prefix.length).equals(prefix)) {
    throw new NoteError('bad_key', 'node:crypto returned an unexpected Ed25519 key encoding');
  }
  return Buffer.from(der.subarray(prefix.length));
}
