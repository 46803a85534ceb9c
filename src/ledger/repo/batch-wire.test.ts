import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Frontier, leafHash } from '../merkle/index.js';
import { packAppended, packBatch, unpackAppended, unpackBatch } from './batch-wire.js';
import type { AppendBatch } from './types.js';

describe('a group commit packed for the writer thread', () => {
  it('unpacks to the same rows: pooled and empty buffers, non-ASCII payloads', () => {
    const pooled = Buffer.from('{"action":"db.query","v":1}'); // a view into Node's shared pool slab
    const batch: AppendBatch = {
      entries: [pooled, Buffer.alloc(0), Buffer.from('{"a":"é"}')],
      payloads: [
        { offset: 0, salt: Buffer.alloc(32, 1), payload: '{"sql":"SELECT \'Zoë ☃ 𝄞\'"}' },
        { offset: 2, salt: Buffer.alloc(0), payload: '' },
      ],
    };
    assert.deepEqual(unpackBatch(packBatch(batch)), batch);
  });

  it('is one buffer of its own that a postMessage can transfer', () => {
    const packed = packBatch({ entries: [Buffer.from('{}')], payloads: [] });
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed]);
    assert.equal(packed.byteLength, 0, 'transferred, not copied');
    port1.close();
    port2.close();
  });

  it('refuses a buffer whose rows do not fill it exactly', () => {
    const packed = packBatch({ entries: [], payloads: [] });
    const longer = new Uint8Array(packed.byteLength + 1);
    longer.set(new Uint8Array(packed));
    assert.throws(() => unpackBatch(longer.buffer), /held 8 bytes/);
  });

  it('brings the answer back: first index and the same tree, which keeps growing the same', () => {
    for (const size of [0, 1, 5, 16, 1023]) {
      const frontier = Frontier.empty();
      for (let i = 0; i < size; i++) frontier.append(leafHash(Buffer.from(`e${i}`)));
      const back = unpackAppended(packAppended({ startIndex: 7, frontier }));
      assert.equal(back.startIndex, 7);
      assert.equal(back.frontier.size, size);
      assert.deepEqual(back.frontier.root(), frontier.root());
      back.frontier.append(leafHash(Buffer.from('next')));
      frontier.append(leafHash(Buffer.from('next')));
      assert.deepEqual(back.frontier.root(), frontier.root());
    }
  });
});
