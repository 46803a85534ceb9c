import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { leafHash } from './hash.js';
import {
  consistencyPath,
  foldRight,
  inclusionPath,
  isPowerOfTwo,
  perfectSubtrees,
  rangeDecomposition,
  splitPoint,
  type Range,
} from './range.js';
import { rangeHash } from './tree.js';

const pairs = (rs: readonly Range[]): [number, number][] => rs.map((r) => [r.start, r.end]);
const width = (r: Range): number => r.end - r.start;

// RFC 9162 §2.1.5 (the same example as RFC 6962 §2.1.3): a tree of 7 leaves d0..d6 with nodes
//   a=[0,1) b=[1,2) c=[2,3) d=[3,4) e=[4,5) f=[5,6) j=[6,7)
//   g=[0,2) h=[2,4) i=[4,6) k=[0,4) l=[4,7)
const b: [number, number] = [1, 2];
const c: [number, number] = [2, 3];
const d: [number, number] = [3, 4];
const f: [number, number] = [5, 6];
const j: [number, number] = [6, 7];
const g: [number, number] = [0, 2];
const h: [number, number] = [2, 4];
const i: [number, number] = [4, 6];
const k: [number, number] = [0, 4];
const l: [number, number] = [4, 7];

describe('range', () => {
  it('splitPoint is the largest power of two below n', () => {
    // testonly/reference_test.go TestDownToPowerOfTwo (transparency-dev/merkle), plus sizes past 2^31.
    const cases: [number, number][] = [
      [2, 1], [3, 2], [4, 2], [5, 4], [7, 4], [8, 4], [9, 8], [63, 32], [28937, 16384],
      [2 ** 31, 2 ** 30], [2 ** 31 + 1, 2 ** 31], [2 ** 32, 2 ** 31], [2 ** 40 + 7, 2 ** 40],
      [Number.MAX_SAFE_INTEGER, 2 ** 52],
    ];
    for (const [n, want] of cases) assert.equal(splitPoint(n), want, `splitPoint(${n})`);
    for (const bad of [-1, 0, 1, 2.5, NaN, Infinity, 2 ** 53]) assert.throws(() => splitPoint(bad), RangeError);
  });

  it('isPowerOfTwo', () => {
    const powers = new Set(Array.from({ length: 54 }, (_, e) => 2 ** e));
    for (let n = -2; n <= 1100; n++) assert.equal(isPowerOfTwo(n), powers.has(n), `${n}`);
    assert.ok(isPowerOfTwo(2 ** 52));
    assert.equal(isPowerOfTwo(2 ** 52 + 2), false);
    assert.equal(isPowerOfTwo(0.5), false);
  });

  it('inclusionPath gives the audit paths of the RFC example', () => {
    assert.deepEqual(pairs(inclusionPath(0, 7)), [b, h, l]);
    assert.deepEqual(pairs(inclusionPath(3, 7)), [c, g, l]);
    assert.deepEqual(pairs(inclusionPath(4, 7)), [f, j, k]);
    assert.deepEqual(pairs(inclusionPath(6, 7)), [i, k]);
    assert.deepEqual(inclusionPath(0, 1), []);
    for (const [index, size] of [[0, 0], [1, 1], [-1, 3], [3, 3], [0.5, 3], [0, 2 ** 53]]) {
      assert.throws(() => inclusionPath(index!, size!), RangeError, `${index}/${size}`);
    }
  });

  it('consistencyPath gives the consistency proofs of the RFC example', () => {
    assert.deepEqual(pairs(consistencyPath(3, 7)), [c, d, g, l]);
    assert.deepEqual(pairs(consistencyPath(4, 7)), [l]);
    assert.deepEqual(pairs(consistencyPath(6, 7)), [i, j, k]);
    assert.deepEqual(consistencyPath(7, 7), []);
    assert.deepEqual(consistencyPath(0, 7), []);
    assert.deepEqual(consistencyPath(0, 0), []);
    assert.deepEqual(pairs(consistencyPath(1, 2)), [b]);
    assert.deepEqual(pairs(consistencyPath(1, 3)), [b, [2, 3]]);
    for (const [m, n] of [[4, 3], [-1, 3], [1, -1], [1.5, 3], [1, 2 ** 53]]) {
      assert.throws(() => consistencyPath(m!, n!), RangeError, `${m}→${n}`);
    }
  });

  it('perfectSubtrees follows the binary digits of the size', () => {
    assert.deepEqual(perfectSubtrees(0), []);
    assert.deepEqual(pairs(perfectSubtrees(1)), [[0, 1]]);
    assert.deepEqual(pairs(perfectSubtrees(13)), [[0, 8], [8, 12], [12, 13]]);
    assert.deepEqual(pairs(perfectSubtrees(16)), [[0, 16]]);
    for (let n = 0; n <= 1100; n++) {
      const parts = perfectSubtrees(n);
      let at = 0;
      let last = Infinity;
      for (const p of parts) {
        assert.equal(p.start, at);
        assert.ok(isPowerOfTwo(width(p)) && width(p) < last && p.start % width(p) === 0);
        last = width(p);
        at = p.end;
      }
      assert.equal(at, n);
      assert.equal(parts.length, n.toString(2).replaceAll('0', '').length);
    }
    const big = 2 ** 52 + 2 ** 31 + 5;
    assert.deepEqual(pairs(perfectSubtrees(big)), [
      [0, 2 ** 52],
      [2 ** 52, 2 ** 52 + 2 ** 31],
      [2 ** 52 + 2 ** 31, 2 ** 52 + 2 ** 31 + 4],
      [2 ** 52 + 2 ** 31 + 4, big],
    ]);
    assert.equal(perfectSubtrees(Number.MAX_SAFE_INTEGER).length, 53);
    for (const bad of [-1, 1.5, NaN, 2 ** 53]) assert.throws(() => perfectSubtrees(bad), RangeError);
  });

  it('rangeDecomposition + foldRight give the MTH of every range in every path up to size 64', () => {
    const leaves = Array.from({ length: 64 }, () => leafHash(randomBytes(8)));
    let checked = 0;
    for (let n = 1; n <= 64; n++) {
      const ranges: Range[] = [...perfectSubtrees(n), { start: 0, end: n }];
      for (let index = 0; index < n; index++) ranges.push({ start: index, end: index + 1 }, ...inclusionPath(index, n));
      for (let m = 0; m <= n; m++) ranges.push(...consistencyPath(m, n));
      for (const r of ranges) {
        const parts = rangeDecomposition(r.start, r.end);
        // Perfect, aligned, contiguous, largest first.
        let at = r.start;
        for (const p of parts) {
          assert.equal(p.start, at);
          assert.ok(isPowerOfTwo(width(p)) && p.start % width(p) === 0, `[${p.start}, ${p.end}) in [${r.start}, ${r.end})`);
          at = p.end;
        }
        assert.equal(at, r.end);
        // The documented fold: h = last; h = nodeHash(part[i], h) from the second-last down.
        const folded = foldRight(parts.map((p) => rangeHash(leaves, p.start, p.end)));
        assert.deepEqual(folded, rangeHash(leaves, r.start, r.end), `[${r.start}, ${r.end}) of ${n}`);
        checked++;
      }
    }
    assert.ok(checked > 10_000);
  });

  it('rangeDecomposition refuses ranges that are not tree nodes', () => {
    assert.deepEqual(rangeDecomposition(5, 5), []);
    assert.deepEqual(pairs(rangeDecomposition(8, 13)), [[8, 12], [12, 13]]);
    for (const [s, e] of [[3, 7], [1, 3], [2, 6], [6, 10], [7, 5], [-1, 2], [0, 2 ** 53]]) {
      assert.throws(() => rangeDecomposition(s!, e!), RangeError, `[${s}, ${e})`);
    }
    assert.deepEqual(foldRight([]), rangeHash([], 0, 0));
  });

  it('paths of huge trees are exact past 2^31 and 2^32', () => {
    // Structural checks only: the siblings of an inclusion path and the leaf tile [0, size)
    // without overlap, each sibling is a tree node (decomposable), and sizes near 2^53 work.
    const sizes = [2 ** 31 + 3, 2 ** 32, 2 ** 32 + 1, 3 * 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER];
    for (const size of sizes) {
      for (const index of [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, Math.floor(size / 2), size - 2, size - 1]) {
        const path = inclusionPath(index, size);
        const tiles = [{ start: index, end: index + 1 }, ...path].sort((x, y) => x.start - y.start);
        let at = 0;
        for (const t of tiles) {
          assert.equal(t.start, at, `leaf ${index} of ${size}`);
          at = t.end;
          rangeDecomposition(t.start, t.end);
        }
        assert.equal(at, size);
        assert.ok(path.length <= 53);
      }
      for (const m of [1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, size - 1]) {
        if (m > size) continue;
        for (const r of consistencyPath(m, size)) rangeDecomposition(r.start, r.end);
      }
    }
    assert.deepEqual(pairs(inclusionPath(2 ** 32, 2 ** 32 + 1)), [[0, 2 ** 32]]);
    assert.deepEqual(pairs(consistencyPath(2 ** 32, 2 ** 32 + 1)), [[2 ** 32, 2 ** 32 + 1]]);
  });
});
