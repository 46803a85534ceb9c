import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  consistencyPath,
  consistencyProof,
  EMPTY_ROOT,
  foldRight,
  Frontier,
  inclusionPath,
  inclusionProof,
  leafHash,
  perfectSubtrees,
  rangeDecomposition,
  rangeHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './index.js';

const hex = (s: string) => Buffer.from(s, 'hex');

/**
 * RFC 6962 reference vectors, as published in transparency-dev/merkle (testonly/constants.go,
 * originally the Certificate Transparency C++ tests): eight leaf inputs and the root of each prefix.
 */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(hex);

const leaves = (n: number) => Array.from({ length: n }, () => leafHash(randomBytes(8)));
const flip = (b: Buffer) => {
  const c = Buffer.from(b);
  c[0] = c[0]! ^ 1;
  return c;
};

describe('RFC 6962 / 9162 vectors', () => {
  it('hashes the empty tree and the empty leaf as published', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(leafHash(Buffer.alloc(0)).toString('hex'), ROOTS[0]!.toString('hex'));
  });

  it('computes the published root of every prefix of the reference leaves', () => {
    const hashes = LEAF_INPUTS.map(leafHash);
    for (let n = 1; n <= 8; n++) assert.deepEqual(rootFromLeafHashes(hashes.slice(0, n)), ROOTS[n - 1], `size ${n}`);
  });

  it('produces and checks proofs between the published roots', () => {
    const hashes = LEAF_INPUTS.map(leafHash);
    const hashOf = (r: { start: number; end: number }) => rangeHash(hashes, r.start, r.end);
    for (let n = 1; n <= 8; n++) {
      for (let i = 0; i < n; i++) {
        assert.ok(verifyInclusion(i, n, hashes[i]!, inclusionProof(i, n, hashOf), ROOTS[n - 1]!));
      }
      for (let m = 1; m <= n; m++) {
        assert.ok(verifyConsistency(m, n, consistencyProof(m, n, hashOf), ROOTS[m - 1]!, ROOTS[n - 1]!));
      }
    }
    // RFC 9162 §2.1.3.1's worked example: PATH(3, D[7]) = [c, g, l] — leaf 2, [0,2), [4,7).
    assert.deepEqual(inclusionPath(3, 7), [
      { start: 2, end: 3 },
      { start: 0, end: 2 },
      { start: 4, end: 7 },
    ]);
    // §2.1.4.3's examples: PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k].
    assert.deepEqual(consistencyPath(3, 7).map((r) => [r.start, r.end]), [[2, 3], [3, 4], [0, 2], [4, 7]]);
    assert.deepEqual(consistencyPath(4, 7).map((r) => [r.start, r.end]), [[4, 7]]);
    assert.deepEqual(consistencyPath(6, 7).map((r) => [r.start, r.end]), [[4, 6], [6, 7], [0, 4]]);
  });
});

describe('proofs on every small tree', () => {
  const all = leaves(64);
  const hashOf = (r: { start: number; end: number }) => rangeHash(all, r.start, r.end);

  it('inclusion: every index of every size up to 64 verifies; tampered proofs do not', () => {
    for (let n = 1; n <= 64; n++) {
      const root = rangeHash(all, 0, n);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(i, n, hashOf);
        assert.ok(verifyInclusion(i, n, all[i]!, proof, root), `${i}/${n}`);
        assert.equal(verifyInclusion(i, n, flip(all[i]!), proof, root), false);
        if (proof.length > 0) {
          for (let j = 0; j < proof.length; j++) {
            const bad = [...proof];
            bad[j] = flip(bad[j]!);
            assert.equal(verifyInclusion(i, n, all[i]!, bad, root), false);
          }
          assert.equal(verifyInclusion(i, n, all[i]!, proof.slice(1), root), false);
        }
        assert.equal(verifyInclusion(i, n, all[i]!, [...proof, all[0]!], root), false);
        if (n > 1) assert.equal(verifyInclusion((i + 1) % n, n, all[i]!, proof, root), false);
        assert.equal(verifyInclusion(n, n, all[i]!, proof, root), false);
      }
    }
  });

  it('consistency: every pair 0 ≤ m ≤ n ≤ 64 verifies; tampered proofs do not', () => {
    for (let n = 0; n <= 64; n++) {
      const rootN = rangeHash(all, 0, n);
      for (let m = 0; m <= n; m++) {
        const rootM = rangeHash(all, 0, m);
        const proof = consistencyProof(m, n, hashOf);
        assert.ok(verifyConsistency(m, n, proof, rootM, rootN), `${m}→${n}`);
        if (m > 0 && m < n) {
          assert.equal(verifyConsistency(m, n, proof, flip(rootM), rootN), false);
          assert.equal(verifyConsistency(m, n, proof, rootM, flip(rootN)), false);
          for (let j = 0; j < proof.length; j++) {
            const bad = [...proof];
            bad[j] = flip(bad[j]!);
            assert.equal(verifyConsistency(m, n, bad, rootM, rootN), false, `${m}→${n} flipped ${j}`);
          }
          assert.equal(verifyConsistency(m, n, proof.slice(0, -1), rootM, rootN), false);
        }
        if (m === n && n > 0) assert.equal(verifyConsistency(m, n, [], rootM, flip(rootN)), false);
      }
    }
    assert.equal(verifyConsistency(0, 3, [all[0]!], EMPTY_ROOT, EMPTY_ROOT), false);
    assert.equal(verifyConsistency(5, 3, [], EMPTY_ROOT, EMPTY_ROOT), false);
    assert.throws(() => consistencyPath(5, 3), RangeError);
    assert.throws(() => inclusionPath(3, 3), RangeError);
  });

  it('path ranges decompose into perfect aligned subtrees that fold to their MTH', () => {
    for (let n = 1; n <= 64; n++) {
      const ranges = [
        ...perfectSubtrees(n),
        ...Array.from({ length: n }, (_, i) => inclusionPath(i, n)).flat(),
        ...Array.from({ length: n }, (_, m) => consistencyPath(m, n)).flat(),
      ];
      for (const r of ranges) {
        const parts = rangeDecomposition(r.start, r.end);
        for (const p of parts) assert.equal((p.start % (p.end - p.start)), 0);
        assert.deepEqual(foldRight(parts.map((p) => rangeHash(all, p.start, p.end))), rangeHash(all, r.start, r.end));
      }
      assert.deepEqual(foldRight(perfectSubtrees(n).map((p) => rangeHash(all, p.start, p.end))), rangeHash(all, 0, n));
    }
    assert.throws(() => rangeDecomposition(3, 7), RangeError);
  });
});

describe('Frontier', () => {
  it('matches the reference root at every size and reports exactly the completed perfect subtrees', () => {
    const all = leaves(300);
    const frontier = Frontier.empty();
    assert.deepEqual(frontier.root(), EMPTY_ROOT);
    const seen = new Set<string>();
    for (let i = 0; i < all.length; i++) {
      frontier.append(all[i]!, (node) => {
        const width = 2 ** node.level;
        assert.deepEqual(node.hash, rangeHash(all, node.index * width, (node.index + 1) * width));
        assert.equal((node.index + 1) * width, i + 1, 'a node completes with its last leaf');
        seen.add(`${node.level}/${node.index}`);
      });
      assert.equal(frontier.size, i + 1);
      assert.deepEqual(frontier.root(), rangeHash(all, 0, i + 1), `size ${i + 1}`);
      const copy = Frontier.fromSubtrees(frontier.size, frontier.subtreeHashes());
      assert.deepEqual(copy.root(), frontier.root());
    }
    // Every perfect subtree of level ≥ 1 inside [0, 300) was reported once: 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1.
    assert.equal(seen.size, 296);
    assert.throws(() => Frontier.fromSubtrees(3, [all[0]!]), RangeError);
  });

  it('clones independently', () => {
    const [a, b] = leaves(2);
    const f = Frontier.empty();
    f.append(a!);
    const g = f.clone();
    g.append(b!);
    assert.equal(f.size, 1);
    assert.deepEqual(f.root(), a);
    assert.equal(g.size, 2);
  });
});
