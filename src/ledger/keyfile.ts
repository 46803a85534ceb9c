import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generateSignerKey, parseSignerKey, type Signer } from './note/index.js';
import { LedgerError } from './errors.js';

export const KEY_FILE = 'ledger.key';

/** A default origin unique to this installation; C2SP asks for a schema-less URL-like name. */
export function defaultOrigin(): string {
  return `gatehouse.local/ledger/${randomBytes(4).toString('hex')}`;
}

export function keyFilePath(dataDir: string, keyFile?: string): string {
  return keyFile ?? join(dataDir, KEY_FILE);
}

/**
 * Reads the signing key (C2SP note signer key format). The file must be private to its owner,
 * as ssh insists for its keys: a key others can read may have signed checkpoints they forged.
 */
export function readSigner(path: string): Signer {
  if (!existsSync(path)) {
    throw new LedgerError(`no ledger signing key at ${path}; run 'gatehouse init' first (or pass --ledger-key FILE)`);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new LedgerError(
      `the ledger signing key ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`,
    );
  }
  try {
    return parseSignerKey(readFileSync(path, 'utf8').trim());
  } catch (error) {
    throw new LedgerError(`cannot read the ledger signing key ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Creates a new key for `origin` at `path` (mode 0600); never overwrites an existing file. */
export function writeNewSigner(path: string, origin: string): Signer {
  const { signerKey } = generateSignerKey(origin);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${signerKey}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return parseSignerKey(signerKey);
}
