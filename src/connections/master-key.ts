import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionError } from './errors.js';

/**
 * The master key seals upstream credentials (AES-256-GCM, see secret-box.ts). It comes from
 * GATEHOUSE_MASTER_KEY (32 bytes, base64 or hex) or from a key file that `gatehouse init`
 * creates in the data directory with mode 0600. It is never stored in the database: a copy
 * of the store alone does not reveal the upstream passwords.
 */
export const MASTER_KEY_FILE = 'master.key';
export const MASTER_KEY_ENV = 'GATEHOUSE_MASTER_KEY';

export interface MasterKey {
  key: Buffer;
  /** First 4 bytes of SHA-256(key), hex: names the key in sealed values without revealing it. */
  id: string;
  source: string;
}

export function masterKeyPath(dataDir: string, file?: string): string {
  return file ?? join(dataDir, MASTER_KEY_FILE);
}

function parseKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && key.toString('base64') !== trimmed)) {
    throw new ConnectionError(`the master key from ${source} must be 32 bytes in base64 or hex`);
  }
  return { key, id: createHash('sha256').update(key).digest('hex').slice(0, 8), source };
}

/** The environment wins over the file; neither present is an error naming both. */
export function readMasterKey(path: string, env: NodeJS.ProcessEnv = process.env): MasterKey {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv) return parseKey(fromEnv, MASTER_KEY_ENV);
  if (!existsSync(path)) {
    throw new ConnectionError(`no master key: set ${MASTER_KEY_ENV} or run 'gatehouse init' to create ${path}`);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConnectionError(`the master key ${path} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  return parseKey(readFileSync(path, 'utf8'), path);
}

/** Creates a new random key file (mode 0600); never overwrites one. */
export function writeNewMasterKey(path: string): MasterKey {
  const text = randomBytes(32).toString('base64');
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${text}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return parseKey(text, path);
}
