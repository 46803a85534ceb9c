import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutOf, NO_HASH, packRows, unpackEntries } from './packed.js';

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');
const row = (index: number, leafHash: Buffer, entry: Buffer) =>
  Buffer.concat([Buffer.from(hex(index, 16) + hex(leafHash.length, 8) + hex(entry.length, 8)), leafHash, entry]);

describe('packed entry pages', () => {
  it('unpacks each row as stored: its own index, any hash length, any bytes', () => {
    const rows = [
      { index: 0, leafHash: Buffer.alloc(32, 1), entry: Buffer.from('{"a":1}') },
      { index: 2, leafHash: Buffer.alloc(1, 0), entry: Buffer.from([0x00, 0x0a, 0xff]) }, // a gap, a short hash
      { index: 2 ** 53 - 1, leafHash: Buffer.alloc(32, 2), entry: Buffer.alloc(0) },
    ];
    assert.deepEqual(unpackEntries(Buffer.concat(rows.map((r) => row(r.index, r.leafHash, r.entry)))), rows);
    assert.deepEqual(unpackEntries(null), []);
  });

  it('puts rows in index order if the engine aggregated them in another', () => {
    const page = Buffer.concat([5, 3, 4].map((i) => row(i, Buffer.alloc(32, i), Buffer.from(`${i}`))));
    assert.deepEqual(unpackEntries(page).map((r) => [r.index, r.entry.toString()]), [[3, '3'], [4, '4'], [5, '5']]);
  });

  it('packs rows as SQLite does, so a page from any source reads the same', () => {
    const rows = [
      { index: 7, leafHash: Buffer.alloc(32, 1), entry: Buffer.from('{"a":1}') },
      { index: 9, leafHash: Buffer.alloc(0), entry: Buffer.from('{}') },
    ];
    const page = packRows(rows);
    assert.deepEqual(Buffer.from(page.packed), Buffer.concat(rows.map((r) => row(r.index, r.leafHash, r.entry))));
    assert.deepEqual([page.count, page.last], [2, 9]);
    assert.deepEqual(unpackEntries(page.packed), rows);
    assert.deepEqual([packRows([]).count, packRows([]).last, packRows([]).packed.length], [0, -1, 0]);
  });

  it('tells a row with no leaf hash kept (a bundle) from one with an empty hash', () => {
    const page = packRows([{ index: 0, entry: Buffer.from('x') }, { index: 1, entry: Buffer.from('y'), leafHash: Buffer.alloc(0) }]);
    assert.equal(Buffer.from(page.packed).toString('latin1', 16, 24), NO_HASH.toString(16));
    const layout = layoutOf(page.packed);
    assert.deepEqual([...layout.hashLength], [-1, 0]);
    assert.deepEqual(unpackEntries(page.packed).map((r) => r.entry.toString()), ['x', 'y']);
    assert.equal(layoutOf(null).count, 0);
  });
});
