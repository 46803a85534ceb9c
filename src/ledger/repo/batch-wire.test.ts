import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packBatch, unpackBatch } from './batch-wire.js';
import type { AppendBatch } from './types.js';

describe('a group commit packed for the writer thread', () => {
  it('unpacks to the same rows: large indexes, pooled and empty buffers, non-ASCII payloads', () => {
    const pooled = Buffer.from('{"action":"db.query","v":1}'); // a view into Node's shared pool slab
    const batch: AppendBatch = {
      startIndex: 2 ** 40,
      entries: [
        { index: 2 ** 40, leafHash: Buffer.alloc(32, 7), entry: pooled },
        { index: 2 ** 40 + 1, leafHash: Buffer.alloc(32, 8), entry: Buffer.alloc(0) },
      ],
      nodes: [{ level: 8, index: 2 ** 32 + 5, hash: Buffer.alloc(32, 9) }],
      payloads: [
        { index: 2 ** 40, salt: Buffer.alloc(32, 1), payload: '{"sql":"SELECT \'Zoë ☃ 𝄞\'"}' },
        { index: 2 ** 40 + 1, salt: Buffer.alloc(0), payload: '' },
      ],
    };
    assert.deepEqual(unpackBatch(packBatch(batch)), batch);
  });

  it('is one buffer of its own that a postMessage can transfer', () => {
    const packed = packBatch({ startIndex: 0, entries: [{ index: 0, leafHash: Buffer.alloc(32), entry: Buffer.from('{}') }], nodes: [], payloads: [] });
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed]);
    assert.equal(packed.byteLength, 0, 'transferred, not copied');
    port1.close();
    port2.close();
  });

  it('refuses a buffer whose rows do not fill it exactly', () => {
    const packed = packBatch({ startIndex: 0, entries: [], nodes: [], payloads: [] });
    const longer = new Uint8Array(packed.byteLength + 1);
    longer.set(new Uint8Array(packed));
    assert.throws(() => unpackBatch(longer.buffer), /held 20 bytes/);
  });
});
