import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { EMPTY_ROOT, leafHash, nodeHash } from './hash.js';
import { foldRight, inclusionPath, rangeDecomposition, type Range } from './range.js';
import { rangeHash, rootFromLeafHashes } from './tree.js';
import { consistencyProof, inclusionProof, rootFromInclusion, verifyConsistency, verifyInclusion } from './proof.js';

const MAX = 64;
const leaves = Array.from({ length: MAX }, () => leafHash(randomBytes(16)));
const hashOf = (r: Range): Buffer => rangeHash(leaves, r.start, r.end);
const roots = Array.from({ length: MAX + 1 }, (_, n) => rootFromLeafHashes(leaves.slice(0, n)));

/** A copy of b with one byte changed (each position of each element is tried somewhere). */
const flipByte = (b: Uint8Array, at: number): Buffer => {
  const c = Buffer.from(b);
  c[at % c.length] = c[at % c.length]! ^ 0x5a;
  return c;
};

/**
 * For each sibling of PATH(index, D_size): does it sit left of the leaf? The verifier's result
 * depends on the proof only through this pattern, so the same proof is accepted for another
 * size exactly when the pattern is the same (e.g. leaf 0 of sizes 5..8: three right siblings).
 * That is by design — the signed tree head binds the root to its size, not the proof.
 */
const sides = (index: number, size: number): string =>
  inclusionPath(index, size)
    .map((r) => (r.start < index ? 'L' : 'R'))
    .join('');

describe('inclusion proofs on every tree up to 64 leaves', () => {
  it('verify for every index of every size, and yield the root', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, hashOf);
        assert.ok(verifyInclusion(i, n, leaves[i]!, proof, roots[n]!), `${i}/${n}`);
        assert.deepEqual(rootFromInclusion(i, n, leaves[i]!, proof), roots[n]);
      }
    }
  });

  it('fail with any flipped byte, a missing, extra or reordered element, another leaf or root', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const leaf = leaves[i]!;
        const root = roots[n]!;
        const proof = inclusionProof(i, n, hashOf);
        const no = (p: Uint8Array[], what: string, lf: Uint8Array = leaf, rt: Uint8Array = root) =>
          assert.equal(verifyInclusion(i, n, lf, p, rt), false, `${i}/${n}: ${what}`);
        proof.forEach((_, e) => {
          const bad = [...proof];
          bad[e] = flipByte(bad[e]!, i + e);
          no(bad, `element ${e} flipped`);
        });
        no(proof, 'leaf flipped', flipByte(leaf, n));
        no(proof, 'root flipped', leaf, flipByte(root, i));
        no(proof, 'root of another size', leaf, roots[n - 1]!);
        no([...proof, EMPTY_ROOT], 'extra element');
        no([EMPTY_ROOT, ...proof], 'extra first element');
        if (proof.length > 0) no(proof.slice(0, -1), 'last element missing');
        if (proof.length > 0) no(proof.slice(1), 'first element missing');
        if (proof.length > 1) no([...proof].reverse(), 'reversed');
      }
    }
  });

  it('fail at every other index and at every size of a different shape', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, hashOf);
        for (const j of [-1, n, n + 1, 2 ** 32 + i, NaN, 0.5]) {
          assert.equal(verifyInclusion(j, n, leaves[i]!, proof, roots[n]!), false, `index ${j} of ${n}`);
        }
        for (let j = 0; j < n; j++) {
          if (j !== i) assert.equal(verifyInclusion(j, n, leaves[i]!, proof, roots[n]!), false, `${i} as ${j} of ${n}`);
        }
        const shape = sides(i, n);
        for (let m = 0; m <= 2 * MAX + 1; m++) {
          if (m === n) continue;
          const same = i < m && sides(i, m) === shape;
          assert.equal(verifyInclusion(i, m, leaves[i]!, proof, roots[n]!), same, `${i}/${n} as size ${m}`);
        }
        assert.equal(verifyInclusion(i, 2 ** 40, leaves[i]!, proof, roots[n]!), false);
      }
    }
  });

  it('never throws on malformed input', () => {
    const proof = inclusionProof(3, 10, hashOf);
    const junk = [undefined, null, 42, 'abc', {}] as unknown as Uint8Array[];
    assert.equal(verifyInclusion(3, 10, leaves[3]!, [...proof.slice(0, 2), ...junk], roots[10]!), false);
    assert.equal(verifyInclusion(3, 10, leaves[3]!, [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)], roots[10]!), false);
    assert.equal(verifyInclusion(3, 10, Buffer.alloc(0), proof, roots[10]!), false);
    assert.equal(verifyInclusion(3, 10, leaves[3]!, proof, Buffer.alloc(0)), false);
    assert.equal(verifyInclusion(0, 0, leaves[0]!, [], leaves[0]!), false);
    assert.equal(rootFromInclusion(3, 10, leaves[3]!, proof.slice(1)), null);
    assert.throws(() => inclusionProof(10, 10, hashOf), RangeError);
  });
});

describe('consistency proofs on every pair of trees up to 64 leaves', () => {
  it('verify for every 0 ≤ m ≤ n ≤ 64', () => {
    for (let n = 0; n <= MAX; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, n, hashOf);
        if (m === 0 || m === n) assert.deepEqual(proof, [], `${m}→${n}`);
        assert.ok(verifyConsistency(m, n, proof, roots[m]!, roots[n]!), `${m}→${n}`);
      }
    }
  });

  it('fail when tampered with', () => {
    for (let n = 1; n <= MAX; n++) {
      for (let m = 1; m < n; m++) {
        const proof = consistencyProof(m, n, hashOf);
        const rm = roots[m]!;
        const rn = roots[n]!;
        const no = (p: Uint8Array[], what: string, a: Uint8Array = rm, b: Uint8Array = rn, mm = m, nn = n) =>
          assert.equal(verifyConsistency(mm, nn, p, a, b), false, `${m}→${n}: ${what}`);
        proof.forEach((_, e) => {
          const bad = [...proof];
          bad[e] = flipByte(bad[e]!, m + e);
          no(bad, `element ${e} flipped`);
        });
        no(proof, 'old root flipped', flipByte(rm, n));
        no(proof, 'new root flipped', rm, flipByte(rn, m));
        no(proof, 'roots swapped', rn, rm);
        no([], 'empty proof');
        no(proof.slice(0, -1), 'last element missing');
        no(proof.slice(1), 'first element missing');
        no([...proof, EMPTY_ROOT], 'extra element');
        no([...proof, rn], 'new root appended');
        no([rm, ...proof], 'old root prepended');
        no([proof[0]!, ...proof], 'first element twice');
        if (proof.length > 1) no([...proof].reverse(), 'reversed');
        // With the real new root, a proof only ever shows the real old root of the size it was
        // made for: claiming it for any other old size fails (the root of that size differs).
        for (let other = 0; other <= n; other++) {
          if (other !== m) no(proof, `claimed for old size ${other}`, rm, rn, other, n);
        }
        no(proof, 'new size smaller than old', rm, rn, n, m);
        no(proof, 'sizes far apart', rm, rn, m, 2 ** 40);
      }
    }
  });

  it('handles m == n, m == 0 and m > n by convention', () => {
    for (let n = 0; n <= MAX; n++) {
      assert.ok(verifyConsistency(n, n, [], roots[n]!, roots[n]!));
      assert.equal(verifyConsistency(n, n, [roots[n]!], roots[n]!, roots[n]!), false, 'm == n with a proof');
      assert.equal(verifyConsistency(n, n, [], roots[n]!, flipByte(roots[n]!, 0)), false, 'm == n, other root');
      assert.ok(verifyConsistency(0, n, [], EMPTY_ROOT, roots[n]!));
      if (n > 0) assert.equal(verifyConsistency(0, n, [roots[n]!], EMPTY_ROOT, roots[n]!), false, 'm == 0 with a proof');
      assert.equal(verifyConsistency(n + 1, n, [], roots[n]!, roots[n]!), false, 'm > n');
    }
    assert.throws(() => consistencyProof(5, 4, hashOf), RangeError);
    assert.equal(verifyConsistency(-1, 3, [], EMPTY_ROOT, EMPTY_ROOT), false);
    assert.equal(verifyConsistency(1.5, 3, [leaves[0]!], EMPTY_ROOT, EMPTY_ROOT), false);
    const junk = [undefined, 7] as unknown as Uint8Array[];
    assert.equal(verifyConsistency(3, 7, junk, roots[3]!, roots[7]!), false);
  });
});

describe('proofs of trees past 2^32 leaves', () => {
  // A tree whose leaves all hash to L has, at each level, one perfect-subtree hash P[level]; any
  // node's MTH is then foldRight over its decomposition. This exercises the verifiers' index
  // arithmetic on sizes up to 2^53 - 1 without 32-bit wraparound (a wrapped index or size
  // changes the path shape, and the proof stops verifying).
  const L = leafHash(Buffer.from('same'));
  const P: Buffer[] = [L];
  for (let level = 1; level <= 53; level++) P.push(nodeHash(P[level - 1]!, P[level - 1]!));
  const log2 = (w: number): number => {
    let e = 0;
    while (2 ** e < w) e++;
    return e;
  };
  const hugeHash = (r: Range): Buffer => foldRight(rangeDecomposition(r.start, r.end).map((p) => P[log2(p.end - p.start)]!));
  const root = (size: number): Buffer => hugeHash({ start: 0, end: size });

  it('inclusion and consistency verify; wrong sizes fail', () => {
    const sizes = [2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 3, 5 * 2 ** 40 + 77, Number.MAX_SAFE_INTEGER];
    for (const size of sizes) {
      const r = root(size);
      for (const index of [0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, Math.floor(size / 3), size - 2, size - 1]) {
        if (index >= size) continue;
        const proof = inclusionProof(index, size, hugeHash);
        assert.ok(verifyInclusion(index, size, L, proof, r), `${index}/${size}`);
        assert.equal(verifyInclusion(index, size, L, proof.slice(1), r), false);
        assert.equal(verifyInclusion(index, size, L, proof, root(size - 1)), false);
      }
      for (const m of [1, 3, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, size - 1]) {
        if (m >= size) continue;
        const proof = consistencyProof(m, size, hugeHash);
        assert.ok(verifyConsistency(m, size, proof, root(m), r), `${m}→${size}`);
        assert.equal(verifyConsistency(m, size, proof.slice(0, -1), root(m), r), false);
        assert.equal(verifyConsistency(m, size, proof, root(m), root(size - 1)), false);
      }
    }
  });
});
