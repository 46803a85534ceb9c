import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { EMPTY_ROOT, leafHash, leafHashInto, nodeHash, perfectRootInto } from './hash.js';
import { rootFromLeafHashes } from './tree.js';

// Plain definitions (RFC 9162 §2.1.1) to check the scratch-buffer fast paths against.
const refLeaf = (entry: Uint8Array): Buffer => createHash('sha256').update(Buffer.from([0x00])).update(entry).digest();
const refNode = (l: Uint8Array, r: Uint8Array): Buffer =>
  createHash('sha256').update(Buffer.concat([Buffer.from([0x01]), l, r])).digest();

describe('hash', () => {
  it('EMPTY_ROOT is SHA-256 of the empty string', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('leafHash is SHA-256(0x00 ‖ entry) for every length, on both sides of the scratch limit', () => {
    const lengths = [0, 1, 2, 31, 32, 33, 64, 100, 1000, 4096, 16383, 16384, 16385, 20000, 100_000];
    for (const n of lengths) {
      const entry = randomBytes(n);
      assert.deepEqual(leafHash(entry), refLeaf(entry), `length ${n}`);
    }
    // A short entry after a long one must not see the long one's leftover bytes.
    const long = randomBytes(5000);
    leafHash(long);
    assert.deepEqual(leafHash(long.subarray(0, 3)), refLeaf(long.subarray(0, 3)));
    // Views at an offset of a larger buffer, and plain Uint8Arrays.
    const big = randomBytes(200);
    assert.deepEqual(leafHash(big.subarray(17, 99)), refLeaf(big.subarray(17, 99)));
    assert.deepEqual(leafHash(new Uint8Array([1, 2, 3])), refLeaf(Buffer.from([1, 2, 3])));
  });

  it('nodeHash is SHA-256(0x01 ‖ left ‖ right), for hashes and for any other lengths', () => {
    for (let i = 0; i < 100; i++) {
      const l = randomBytes(32);
      const r = randomBytes(32);
      assert.deepEqual(nodeHash(l, r), refNode(l, r));
    }
    for (const [a, b] of [[0, 0], [0, 32], [32, 0], [31, 33], [33, 31], [4, 4], [64, 64]] as const) {
      const l = randomBytes(a);
      const r = randomBytes(b);
      assert.deepEqual(nodeHash(l, r), refNode(l, r), `${a}+${b}`);
    }
  });

  it('leafHashInto writes leafHash at the offset asked, and nothing around it', () => {
    for (const n of [0, 1, 330, 16384, 16385, 50_000]) {
      const entry = randomBytes(n);
      const out = Buffer.alloc(100, 0xee);
      leafHashInto(entry, out, 37);
      assert.deepEqual(out.subarray(37, 69), refLeaf(entry), `length ${n}`);
      assert.ok(out.subarray(0, 37).every((b) => b === 0xee) && out.subarray(69).every((b) => b === 0xee), `length ${n}: bytes around`);
    }
  });

  it('perfectRootInto is the RFC 9162 root of a perfect subtree of 1 to 256 leaves, read and written at offsets', () => {
    for (let count = 1; count <= 256; count *= 2) {
      const leaves = Array.from({ length: count }, () => randomBytes(32));
      const packed = Buffer.concat([randomBytes(64), ...leaves]);
      const out = Buffer.alloc(40, 0xee);
      perfectRootInto(packed, 64, count, out, 5);
      assert.deepEqual(out.subarray(5, 37), rootFromLeafHashes(leaves), `${count} leaves`);
      assert.ok(out.subarray(0, 5).every((b) => b === 0xee) && out.subarray(37).every((b) => b === 0xee), `${count}: bytes around`);
    }
    for (const count of [0, 3, 12, 512]) assert.throws(() => perfectRootInto(Buffer.alloc(512 * 32), 0, count, Buffer.alloc(32), 0), RangeError);
  });

  it('returns fresh buffers that later calls do not overwrite', () => {
    const a = leafHash(Buffer.from('a'));
    const aCopy = Buffer.from(a);
    const n = nodeHash(a, a);
    const nCopy = Buffer.from(n);
    for (let i = 0; i < 10; i++) {
      leafHash(randomBytes(40));
      nodeHash(randomBytes(32), randomBytes(32));
    }
    assert.deepEqual(a, aCopy);
    assert.deepEqual(n, nCopy);
    assert.notEqual(leafHash(Buffer.from('a')), a); // not the same object
    assert.equal(a.length, 32);
  });

  it('separates leaves from nodes (second-preimage resistance, §2.1.1)', () => {
    const l = leafHash(Buffer.from('Hello'));
    const r = leafHash(Buffer.from('World'));
    assert.notDeepEqual(nodeHash(l, r), leafHash(Buffer.concat([l, r])));
    assert.notDeepEqual(nodeHash(l, r), nodeHash(r, l));
  });
});
