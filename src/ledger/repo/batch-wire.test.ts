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

  it('encodes entries given as text into their UTF-8 bytes, among entries given as bytes', () => {
    const texts = ['{"a":"Zoë ☃ 𝄞"}', '', '{"v":1}'];
    const packed = packBatch({ entries: [texts[0]!, Buffer.from('{"b":2}'), texts[1]!, texts[2]!], payloads: [{ offset: 3, salt: Buffer.alloc(32, 2), payload: '{}' }] });
    assert.ok(packed.byteLength > 12, 'sized for the worst case');
    assert.deepEqual(unpackBatch(packed), {
      entries: [Buffer.from(texts[0]!), Buffer.from('{"b":2}'), Buffer.alloc(0), Buffer.from(texts[2]!)],
      payloads: [{ offset: 3, salt: Buffer.alloc(32, 2), payload: '{}' }],
    });
  });

  it('is one buffer of its own that a postMessage can transfer', () => {
    const packed = packBatch({ entries: [Buffer.from('{}')], payloads: [] });
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(packed, [packed]);
    assert.equal(packed.byteLength, 0, 'transferred, not copied');
    port1.close();
    port2.close();
  });

  it('refuses a buffer whose rows do not fill its stated length exactly', () => {
    const packed = packBatch({ entries: ['{}'], payloads: [] });
    const stated = new DataView(packed).getUint32(0, true);
    const longer = new Uint8Array(packed.byteLength + 8);
    longer.set(new Uint8Array(packed));
    new DataView(longer.buffer).setUint32(0, stated + 1, true);
    assert.throws(() => unpackBatch(longer.buffer), new RegExp(`held ${stated} bytes`));
    new DataView(longer.buffer).setUint32(0, longer.byteLength, true);
    assert.throws(() => unpackBatch(longer.buffer), RangeError, 'a length past the end of the buffer');
  });

  it('brings the answer back: first index and the same tree, which keeps growing the same', () => {
    for (const size of [0, 1, 5, 16, 1023]) {
      const frontier = Frontier.empty();
      for (let i = 0; i < size; i++) frontier.append(leafHash(Buffer.from(`e${i}`)));
      const back = unpackAppended(packAppended({ startIndex: 7, frontier, ...(size === 5 ? { storeMs: 0.25 } : {}) }));
      assert.equal(back.startIndex, 7);
      assert.equal(back.storeMs, size === 5 ? 0.25 : undefined);
      assert.equal(back.frontier.size, size);
      assert.deepEqual(back.frontier.root(), frontier.root());
      back.frontier.append(leafHash(Buffer.from('next')));
      frontier.append(leafHash(Buffer.from('next')));
      assert.deepEqual(back.frontier.root(), frontier.root());
    }
  });
});
