import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, chmodSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, seal } from './secret-box.js';
import { readMasterKey, writeNewMasterKey } from './master-key.js';

describe('sealed secrets (AES-256-GCM under the master key)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-key-'));
  const key = writeNewMasterKey(join(dir, 'master.key'));

  it('opens what it sealed, for the same owner only', () => {
    const sealed = seal(key, 'p@ss wörd', 'connection:a');
    assert.match(sealed, new RegExp(`^v1\\.${key.id}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]+$`));
    assert.equal(open(key, sealed, 'connection:a'), 'p@ss wörd');
    assert.throws(() => open(key, sealed, 'connection:b'), /does not open/);
    assert.notEqual(seal(key, 'p@ss wörd', 'connection:a'), sealed, 'a fresh nonce each time');
  });

  it('detects a changed byte and names a wrong master key', () => {
    const sealed = seal(key, 'secret', 'c');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0]! ^= 1;
    assert.throws(() => open(key, [...parts.slice(0, 3), body.toString('base64url')].join('.'), 'c'), /does not open/);
    const other = readMasterKey('unused', { GATEHOUSE_MASTER_KEY: Buffer.alloc(32, 7).toString('hex') });
    assert.throws(() => open(other, sealed, 'c'), new RegExp(`sealed under master key ${key.id}, but the master key in use is ${other.id}`));
    assert.throws(() => open(key, 'v2.x.y.z', 'c'), /malformed/);
  });

  it('keeps the key file private and refuses one others can read', () => {
    const path = join(dir, 'master.key');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.throws(() => writeNewMasterKey(path), /EEXIST/);
    assert.equal(readMasterKey(path, {}).id, key.id);
    chmodSync(path, 0o644);
    assert.throws(() => readMasterKey(path, {}), /readable by others/);
    assert.throws(() => readMasterKey(join(dir, 'none'), {}), /no master key: set GATEHOUSE_MASTER_KEY or run 'gatehouse init'/);
    writeFileSync(join(dir, 'bad.key'), 'too short\n', { mode: 0o600 });
    assert.throws(() => readMasterKey(join(dir, 'bad.key'), {}), /must be 32 bytes/);
    assert.throws(() => readMasterKey(path, { GATEHOUSE_MASTER_KEY: 'abc' }), /GATEHOUSE_MASTER_KEY must be 32 bytes/);
  });
});
