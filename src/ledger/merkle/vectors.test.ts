// Published known-answer vectors for RFC 6962 / RFC 9162 Merkle trees (SHA-256), copied as hex
// values from github.com/transparency-dev/merkle (Apache-2.0):
//   - rfc6962/rfc6962_test.go   TestRFC6962Hasher: empty root, empty leaf, leaf "L123456", node("N123","N456")
//   - testonly/constants.go     LeafInputs, NodeHashes, RootHashes, CompactTrees
//   - testonly/reference_test.go TestRefInclusionProof, TestRefConsistencyProof
//   - proof/verify_test.go      inclusionProofs / consistencyProofs (1-based leaf numbers there,
//                               0-based indices here), TestVerifyConsistency edge cases, and the
//                               corruptInclusionProof / corruptConsistencyProof probes
// Only the values are copied; the code under test is ours.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  consistencyProof,
  EMPTY_ROOT,
  Frontier,
  inclusionProof,
  leafHash,
  nodeHash,
  rangeHash,
  rootFromInclusion,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
  type Range,
} from './index.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const hexes = (b: readonly Uint8Array[]): string[] => b.map((x) => Buffer.from(x).toString('hex'));

const EMPTY_ROOT_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SOME_HASH = hex('abacaba000000000000000000000000000000000000000000060061e00123456'); // verify_test.go sha256SomeHash

// testonly/constants.go LeafInputs()
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hex);

// testonly/constants.go NodeHashes(): [level][index] for every perfect subtree of the 8 leaves.
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];
const nh = (level: number, index: number): string => NODE_HASHES[level]![index]!;

// testonly/constants.go RootHashes(): the root of each prefix, indexed by size 0..8.
const ROOTS = [
  EMPTY_ROOT_HEX,
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const root = (size: number): Buffer => hex(ROOTS[size]!);

// testonly/constants.go CompactTrees(): the compact range [0, size) for size 0..8.
const COMPACT_TREES: string[][] = [
  [],
  [nh(0, 0)],
  [nh(1, 0)],
  [nh(1, 0), nh(0, 2)],
  [nh(2, 0)],
  [nh(2, 0), nh(0, 4)],
  [nh(2, 0), nh(1, 2)],
  [nh(2, 0), nh(1, 2), nh(0, 6)],
  [nh(3, 0)],
];

// testonly/reference_test.go TestRefInclusionProof (0-based), plus verify_test.go inclusionProofs
// (there {leaf: 1-based, size}: {1,8}, {6,8}, {3,3}, {2,5} — the same vectors as below).
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 1, proof: [] },
  { index: 0, size: 2, proof: [nh(0, 1)] },
  { index: 1, size: 2, proof: [nh(0, 0)] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

// testonly/reference_test.go TestRefConsistencyProof and verify_test.go consistencyProofs.
const CONSISTENCY: { m: number; n: number; proof: string[] }[] = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const leafHashes = LEAF_INPUTS.map(leafHash);
const hashOf = (r: Range): Buffer => rangeHash(leafHashes, r.start, r.end);
const flipBit = (b: Uint8Array, mask: number): Buffer => {
  const c = Buffer.from(b);
  c[0] = c[0]! ^ mask;
  return c;
};

describe('published vectors (transparency-dev/merkle)', () => {
  it('hashes as rfc6962_test.go says', () => {
    assert.equal(EMPTY_ROOT.toString('hex'), EMPTY_ROOT_HEX);
    assert.equal(leafHash(new Uint8Array(0)).toString('hex'), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.equal(leafHash(Buffer.from('L123456')).toString('hex'), '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    // 4-byte children: exercises nodeHash's path for inputs that are not 32-byte hashes.
    assert.equal(
      nodeHash(Buffer.from('N123'), Buffer.from('N456')).toString('hex'),
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('computes every published perfect-subtree hash and prefix root', () => {
    for (let level = 0; level < NODE_HASHES.length; level++) {
      const width = 2 ** level;
      NODE_HASHES[level]!.forEach((want, index) => {
        assert.equal(rangeHash(leafHashes, index * width, (index + 1) * width).toString('hex'), want, `node ${level}/${index}`);
      });
    }
    for (let size = 0; size <= 8; size++) {
      assert.equal(rootFromLeafHashes(leafHashes.slice(0, size)).toString('hex'), ROOTS[size], `root of size ${size}`);
    }
  });

  it('appends to the published compact ranges and roots', () => {
    const frontier = Frontier.empty();
    const reported = new Map<string, string>();
    for (let size = 0; size <= 8; size++) {
      assert.deepEqual(hexes(frontier.subtreeHashes()), COMPACT_TREES[size], `compact range of size ${size}`);
      assert.equal(frontier.root().toString('hex'), ROOTS[size], `frontier root of size ${size}`);
      if (size < 8) frontier.append(leafHashes[size]!, (n) => reported.set(`${n.level}/${n.index}`, n.hash.toString('hex')));
    }
    const expected = new Map<string, string>();
    for (let level = 1; level < NODE_HASHES.length; level++) {
      NODE_HASHES[level]!.forEach((h, index) => expected.set(`${level}/${index}`, h));
    }
    assert.deepEqual(reported, expected);
  });

  it('produces the published inclusion proofs, which verify and resist the published corruptions', () => {
    for (const v of INCLUSION) {
      const label = `inclusion ${v.index}/${v.size}`;
      const proof = inclusionProof(v.index, v.size, hashOf);
      assert.deepEqual(hexes(proof), v.proof, label);
      const leaf = leafHashes[v.index]!;
      const r = root(v.size);
      assert.deepEqual(rootFromInclusion(v.index, v.size, leaf, proof), r, label);
      assert.ok(verifyInclusion(v.index, v.size, leaf, proof, r), label);

      // proof/verify_test.go corruptInclusionProof.
      const probes: [number, number, Uint8Array, Uint8Array[], Uint8Array, string][] = [
        [v.index - 1, v.size, r, proof, leaf, 'index - 1'],
        [v.index + 1, v.size, r, proof, leaf, 'index + 1'],
        [v.index ^ 2, v.size, r, proof, leaf, 'index ^ 2'],
        [v.index, v.size * 2, r, proof, leaf, 'size * 2'],
        [v.index, Math.floor(v.size / 2), r, proof, leaf, 'size / 2'],
        [v.index, v.size, r, proof, Buffer.from('WrongLeaf'), 'wrong leaf'],
        [v.index, v.size, EMPTY_ROOT, proof, leaf, 'empty root'],
        [v.index, v.size, SOME_HASH, proof, leaf, 'random root'],
        [v.index, v.size, r, [...proof, Buffer.alloc(0)], leaf, 'trailing garbage'],
        [v.index, v.size, r, [...proof, r], leaf, 'trailing root'],
        [v.index, v.size, r, [Buffer.alloc(0), ...proof], leaf, 'preceding garbage'],
        [v.index, v.size, r, [r, ...proof], leaf, 'preceding root'],
      ];
      proof.forEach((_, i) => {
        const bad = [...proof];
        bad[i] = flipBit(bad[i]!, 8);
        probes.push([v.index, v.size, r, bad, leaf, `proof[${i}] bit 3`]);
      });
      if (proof.length > 0) probes.push([v.index, v.size, r, proof.slice(0, -1), leaf, 'removed component']);
      if (proof.length > 1) probes.push([v.index, v.size, r, [proof[0]!, SOME_HASH, ...proof.slice(1)], leaf, 'inserted component']);
      for (const [index, size, rt, p, lf, desc] of probes) {
        assert.equal(verifyInclusion(index, size, lf, p, rt), false, `${label}: ${desc}`);
      }
    }
  });

  it('rejects the degenerate inclusion probes of verify_test.go TestVerifyInclusion', () => {
    const leaf = leafHash(Buffer.from('data'));
    assert.ok(verifyInclusion(0, 1, leaf, [], leaf));
    assert.equal(verifyInclusion(0, 1, Buffer.alloc(0), [], leaf), false);
    assert.equal(verifyInclusion(0, 1, leaf, [], Buffer.alloc(0)), false);
    assert.equal(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0)), false); // wrong hash size
    for (const [index, size] of [[0, 0], [0, 1], [1, 0], [2, 1]] as const) {
      assert.equal(verifyInclusion(index, size, SOME_HASH, [], Buffer.alloc(0)), false);
      assert.equal(verifyInclusion(index, size, Buffer.alloc(0), [], EMPTY_ROOT), false);
      assert.equal(verifyInclusion(index, size, SOME_HASH, [], EMPTY_ROOT), false);
    }
  });

  it('produces the published consistency proofs, which verify and resist the published corruptions', () => {
    for (const v of CONSISTENCY) {
      const label = `consistency ${v.m}→${v.n}`;
      const proof = consistencyProof(v.m, v.n, hashOf);
      assert.deepEqual(hexes(proof), v.proof, label);
      const r1 = root(v.m);
      const r2 = root(v.n);
      assert.ok(verifyConsistency(v.m, v.n, proof, r1, r2), label);
      if (proof.length === 0) continue;

      // proof/verify_test.go corruptConsistencyProof.
      const wrongRoot = Buffer.from('WrongRoot');
      const probes: [number, number, Uint8Array, Uint8Array, Uint8Array[], string][] = [
        [v.m - 1, v.n, r1, r2, proof, 'size1 - 1'],
        [v.m + 1, v.n, r1, r2, proof, 'size1 + 1'],
        [v.m ^ 2, v.n, r1, r2, proof, 'size1 ^ 2'],
        [v.m, v.n * 2, r1, r2, proof, 'size2 * 2'],
        [v.m, Math.floor(v.n / 2), r1, r2, proof, 'size2 / 2'],
        [v.m, v.n, wrongRoot, r2, proof, 'wrong root1'],
        [v.m, v.n, r1, wrongRoot, proof, 'wrong root2'],
        [v.m, v.n, r2, r1, proof, 'swapped roots'],
        [v.m, v.n, r1, r2, [], 'empty proof'],
        [v.m, v.n, r1, r2, [...proof, Buffer.alloc(0)], 'trailing garbage'],
        [v.m, v.n, r1, r2, [...proof, r1], 'trailing root1'],
        [v.m, v.n, r1, r2, [...proof, r2], 'trailing root2'],
        [v.m, v.n, r1, r2, [Buffer.alloc(0), ...proof], 'preceding garbage'],
        [v.m, v.n, r1, r2, [r1, ...proof], 'preceding root1'],
        [v.m, v.n, r1, r2, [r2, ...proof], 'preceding root2'],
        [v.m, v.n, r1, r2, [proof[0]!, ...proof], 'preceding proof[0]'],
        [v.m, v.n, r1, r2, proof.slice(0, -1), 'truncated proof'],
      ];
      proof.forEach((_, i) => {
        const bad = [...proof];
        bad[i] = flipBit(bad[i]!, 16);
        probes.push([v.m, v.n, r1, r2, bad, `proof[${i}] bit 4`]);
      });
      for (const [m, n, a, b, p, desc] of probes) {
        assert.equal(verifyConsistency(m, n, p, a, b), false, `${label}: ${desc}`);
      }
    }
  });

  it('treats the edge sizes as verify_test.go TestVerifyConsistency does', () => {
    const root1 = Buffer.from("don't care 1");
    const root2 = Buffer.from("don't care 2");
    const cases: [number, number, Uint8Array, Uint8Array, Uint8Array[], boolean][] = [
      [0, 0, root1, root2, [], false],
      [1, 1, root1, root2, [], false],
      // Sizes that are always consistent.
      [0, 0, root1, root1, [], true],
      [0, 1, root1, root2, [], true],
      [1, 1, root2, root2, [], true],
      // Time travel to the past.
      [1, 0, root1, root2, [], false],
      [2, 1, root1, root2, [], false],
      // Empty proof.
      [1, 2, root1, root2, [], false],
      // Roots don't match.
      [0, 0, EMPTY_ROOT, root2, [], false],
      [1, 1, EMPTY_ROOT, root2, [], false],
      // Roots match but the proof is not empty.
      [0, 0, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], false],
      [0, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], false],
      [1, 1, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT], false],
    ];
    for (const [m, n, a, b, p, want] of cases) {
      assert.equal(verifyConsistency(m, n, p, a, b), want, `${m}→${n}`);
    }
  });
});
