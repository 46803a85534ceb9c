import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Frontier, type CompletedNode } from './compact.js';
import { EMPTY_ROOT, leafHash } from './hash.js';
import { perfectSubtrees } from './range.js';
import { rangeHash, rootFromLeafHashes } from './tree.js';

const N = 300;
const leaves = Array.from({ length: N }, () => leafHash(randomBytes(12)));

describe('Frontier', () => {
  it('has the reference root at every size up to 300', () => {
    const f = Frontier.empty();
    assert.equal(f.size, 0);
    assert.deepEqual(f.root(), EMPTY_ROOT);
    assert.deepEqual(f.subtreeHashes(), []);
    for (let i = 0; i < N; i++) {
      f.append(leaves[i]!);
      assert.equal(f.size, i + 1);
      assert.deepEqual(f.root(), rootFromLeafHashes(leaves.slice(0, i + 1)), `size ${i + 1}`);
      assert.deepEqual(
        f.subtreeHashes(),
        perfectSubtrees(i + 1).map((r) => rangeHash(leaves, r.start, r.end)),
        `subtrees of size ${i + 1}`,
      );
    }
  });

  it('appendSubtree builds the same tree, and reports the same nodes above it, as appending the leaves', () => {
    const byLeaf = Frontier.empty();
    const bySubtree = Frontier.empty();
    const leafNodes: CompletedNode[] = [];
    const subtreeNodes: CompletedNode[] = [];
    for (let i = 0; i + 16 <= N; i += 16) {
      for (let j = i; j < i + 16; j++) byLeaf.append(leaves[j]!, (n) => n.level > 4 && leafNodes.push(n));
      bySubtree.appendSubtree(rangeHash(leaves, i, i + 16), 4, (n) => subtreeNodes.push(n));
      assert.deepEqual(bySubtree.subtreeHashes(), byLeaf.subtreeHashes(), `size ${i + 16}`);
    }
    assert.deepEqual(subtreeNodes, leafNodes);
    bySubtree.append(leaves[0]!);
    assert.throws(() => bySubtree.appendSubtree(leaves[1]!, 4), /cannot follow/);
    const one = Frontier.empty();
    one.appendSubtree(leaves[0]!, 0);
    assert.deepEqual(one.root(), leaves[0]);
  });

  it('reports exactly the perfect subtree nodes of level ≥ 1, once, bottom-up, when they complete', () => {
    const f = Frontier.empty();
    const seen = new Set<string>();
    for (let i = 0; i < N; i++) {
      const nodes: CompletedNode[] = [];
      f.append(leaves[i]!, (node) => nodes.push(node));
      // Appending leaf i completes one node per trailing 1 bit of i: levels 1, 2, … in order.
      let expectedCount = 0;
      for (let x = i; x % 2 === 1; x = (x - 1) / 2) expectedCount++;
      assert.equal(nodes.length, expectedCount, `append #${i}`);
      nodes.forEach((node, k) => {
        const width = 2 ** node.level;
        assert.equal(node.level, k + 1, 'bottom-up');
        assert.equal((node.index + 1) * width, i + 1, 'completed by its last leaf');
        assert.deepEqual(node.hash, rangeHash(leaves, node.index * width, (node.index + 1) * width));
        const key = `${node.level}/${node.index}`;
        assert.ok(!seen.has(key), `reported twice: ${key}`);
        seen.add(key);
      });
    }
    // Every perfect aligned subtree of [0, 300) with level ≥ 1: 150 + 75 + 37 + 18 + 9 + 4 + 2 + 1.
    let all = 0;
    for (let level = 1; 2 ** level <= N; level++) all += Math.floor(N / 2 ** level);
    assert.equal(all, 296);
    assert.equal(seen.size, all);
  });

  it('round-trips through fromSubtrees(size, subtreeHashes()) and keeps appending correctly', () => {
    const f = Frontier.empty();
    for (let i = 0; i <= N; i++) {
      const copy = Frontier.fromSubtrees(f.size, f.subtreeHashes());
      assert.equal(copy.size, f.size);
      assert.deepEqual(copy.root(), f.root());
      assert.deepEqual(copy.subtreeHashes(), f.subtreeHashes());
      if (i < N) {
        const a: CompletedNode[] = [];
        const b: CompletedNode[] = [];
        f.append(leaves[i]!, (n) => a.push(n));
        copy.append(leaves[i]!, (n) => b.push(n));
        assert.deepEqual(copy.root(), f.root());
        assert.deepEqual(b, a);
      }
    }
  });

  it('fromSubtrees checks the number of hashes and the size', () => {
    const h = leaves[0]!;
    assert.throws(() => Frontier.fromSubtrees(3, [h]), RangeError);
    assert.throws(() => Frontier.fromSubtrees(3, [h, h, h]), RangeError);
    assert.throws(() => Frontier.fromSubtrees(0, [h]), RangeError);
    assert.throws(() => Frontier.fromSubtrees(-1, []), RangeError);
    assert.throws(() => Frontier.fromSubtrees(1.5, [h]), RangeError);
    assert.equal(Frontier.fromSubtrees(0, []).size, 0);
    // The caller's array is copied, not adopted.
    const hashes = [h, leaves[1]!];
    const f = Frontier.fromSubtrees(3, hashes);
    hashes.pop();
    assert.equal(f.subtreeHashes().length, 2);
  });

  it('clones independently', () => {
    const f = Frontier.empty();
    f.append(leaves[0]!);
    const g = f.clone();
    g.append(leaves[1]!);
    g.append(leaves[2]!);
    assert.equal(f.size, 1);
    assert.deepEqual(f.root(), leaves[0]);
    assert.deepEqual(f.subtreeHashes(), [leaves[0]]);
    f.append(leaves[5]!);
    assert.equal(g.size, 3);
    assert.deepEqual(g.root(), rootFromLeafHashes(leaves.slice(0, 3)));
    const s = g.subtreeHashes();
    s.pop();
    assert.equal(g.subtreeHashes().length, 2);
  });

  it('counts past 2^32 without wraparound', () => {
    // A frontier of 2^40 - 1 leaves has 40 subtrees; one more leaf completes 40 nodes, the last
    // being the root of the perfect tree of 2^40 leaves.
    const size = 2 ** 40 - 1;
    const f = Frontier.fromSubtrees(size, Array.from({ length: 40 }, (_, k) => leaves[k]!));
    const nodes: CompletedNode[] = [];
    f.append(leaves[40]!, (n) => nodes.push(n));
    assert.equal(f.size, 2 ** 40);
    assert.equal(nodes.length, 40);
    nodes.forEach((n, k) => {
      assert.equal(n.level, k + 1);
      assert.equal(n.index, 2 ** 40 / 2 ** n.level - 1);
    });
    assert.deepEqual(f.subtreeHashes(), [nodes[39]!.hash]);
    assert.deepEqual(f.root(), nodes[39]!.hash);
    const g = Frontier.fromSubtrees(2 ** 32 + 1, [leaves[0]!, leaves[1]!]);
    const at: CompletedNode[] = [];
    g.append(leaves[2]!, (n) => at.push(n));
    assert.deepEqual(at.map((n) => [n.level, n.index]), [[1, 2 ** 31]]);
  });
});
