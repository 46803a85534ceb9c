import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leafHash, rootFromLeafHashes } from '../merkle/index.js';
import { packRows } from '../repo/packed.js';
import { ENTRY_CHANGED, HAS_DETAILS, NOT_JSON, scanPage, type ScannedPage } from './leaf-scan.js';
import { WorkerPool } from './pool.js';

const LEAF_WORKER = new URL('./leaf-worker.js', import.meta.url);

const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`{"n":${from + i}}`));
/** A page as a bundle gives it: positional indexes, no stored leaf hashes. */
const pack = (first: number, page: Buffer[]) => packRows(page.map((entry, i) => ({ index: first + i, entry }))).packed;

describe('leaf scan of a packed page', () => {
  it('hashes every entry and flags each whose stored leaf hash differs, is short, or is not kept', () => {
    const page = entries(0, 4);
    const packed = packRows([
      { index: 0, entry: page[0]!, leafHash: leafHash(page[0]!) },
      { index: 1, entry: page[1]!, leafHash: leafHash(page[0]!) }, // another entry's hash
      { index: 2, entry: page[2]!, leafHash: leafHash(page[2]!).subarray(0, 31) }, // cut short
      { index: 3, entry: page[3]! }, // none kept: nothing to compare
    ]).packed;
    const scanned = scanPage(packed);
    assert.deepEqual(Buffer.from(scanned.hashes), Buffer.concat(page.map((e) => leafHash(e))));
    assert.deepEqual([...scanned.flags], [0, ENTRY_CHANGED, ENTRY_CHANGED, 0]);
    assert.deepEqual([...scanned.indices], [0, 1, 2, 3]);
    assert.equal(scanned.contiguous, true);
  });

  it('reads what commitment and redaction entries say, and flags one that is not JSON', () => {
    const page = [
      Buffer.from('{"action":"db.query"}'),
      Buffer.from('{"payload_commitment":"x"}'),
      Buffer.from('{"action":"ledger.payload.redact","target":{"ledger_entry":1}}'),
      Buffer.from('{"note":"payload"}'),
      Buffer.from('{"payload_commitment":"y"'), // cut off
      Buffer.alloc(0),
    ];
    const scanned = scanPage(pack(0, page));
    assert.deepEqual([...scanned.flags], [0, HAS_DETAILS, HAS_DETAILS, 0, NOT_JSON, 0]);
    assert.deepEqual([...scanned.details], [[1, { commitment: 'x' }], [2, { redacts: 1 }]]);
  });

  it('looks for the patterns in each entry alone: several hits in one, one across two, none in a stored hash', () => {
    const page = [
      Buffer.from('{"payload_commitment":"a","x":"payload payload"}'),
      Buffer.from('{"k":"pay'),
      Buffer.from('load"}'),
      Buffer.alloc(0),
      Buffer.from('{"action":"ledger.payload.redact","payload_commitment":"b","target":{"ledger_entry":0}}'),
      Buffer.alloc(0),
      Buffer.from('payload'),
      Buffer.from('{"action":"db.query"}'),
    ];
    const rows = page.map((entry, index) => ({ index, entry, leafHash: leafHash(entry) }));
    // A stored hash that spells the pattern is not an entry's bytes (and no longer matches it).
    rows[7]!.leafHash = Buffer.from('"payload_commitment":"c"}payload');
    const scanned = scanPage(packRows(rows).packed);
    assert.deepEqual([...scanned.flags], [HAS_DETAILS, 0, 0, 0, HAS_DETAILS, 0, 0, ENTRY_CHANGED]);
    assert.deepEqual([...scanned.details], [[0, { commitment: 'a' }], [4, { commitment: 'b', redacts: 0 }]]);
  });

  it('hashes each aligned block of 16 entries, wherever the page starts, and none across a gap', () => {
    const page = entries(0, 70);
    const leaves = page.map((e) => leafHash(e));
    for (const first of [0, 5, 16, 31]) {
      const scanned = scanPage(pack(first, page));
      const firstBlock = (16 - (first % 16)) % 16;
      assert.equal(scanned.firstBlock, firstBlock);
      const expected = [];
      for (let i = firstBlock; i + 16 <= page.length; i += 16) expected.push(rootFromLeafHashes(leaves.slice(i, i + 16)));
      assert.deepEqual(Buffer.from(scanned.blocks), Buffer.concat(expected), `first ${first}`);
    }
    const gap = packRows(page.map((entry, i) => ({ index: i < 40 ? i : i + 1, entry }))).packed;
    const scanned = scanPage(gap);
    assert.equal(scanned.contiguous, false);
    assert.equal(scanned.blocks.length, 0);
  });

  it('puts rows in index order when the store handed them in another', () => {
    const page = entries(0, 3);
    const packed = packRows([2, 0, 1].map((i) => ({ index: i, entry: page[i]! }))).packed;
    const scanned = scanPage(packed);
    assert.deepEqual([...scanned.indices], [0, 1, 2]);
    assert.deepEqual(Buffer.from(scanned.hashes), Buffer.concat(page.map((e) => leafHash(e))));
  });

  it('gives the same answer in a worker as inline, the page moved to the worker whole', async () => {
    const page = [...entries(0, 40), Buffer.from('{"payload_commitment":"x"}'), Buffer.from('{"payload_commitment":')];
    const inline = scanPage(pack(3, page));
    const pool = new WorkerPool<Uint8Array, ScannedPage>(LEAF_WORKER, 1);
    try {
      const packed = pack(3, page);
      const scanned = await pool.run(packed, [packed.buffer as ArrayBuffer]);
      assert.equal(packed.byteLength, 0, 'the page was transferred, not copied');
      assert.deepEqual(
        { ...scanned, hashes: Buffer.from(scanned.hashes), blocks: Buffer.from(scanned.blocks) },
        { ...inline, hashes: Buffer.from(inline.hashes), blocks: Buffer.from(inline.blocks) },
      );
    } finally {
      await pool.close();
    }
  });
});
