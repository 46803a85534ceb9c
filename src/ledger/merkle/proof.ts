import { nodeHash } from './hash.js';
import { consistencyPath, inclusionPath, isPowerOfTwo, type Range } from './range.js';

// Building proofs (from any source of range hashes) and verifying them exactly as RFC 9162
// §2.1.3.2 and §2.1.4.2 prescribe. The verifiers take untrusted input: they return false on
// anything malformed and never throw.

/** Returns MTH(D[range.start:range.end]); the ledger backs it with stored perfect-subtree hashes. */
export type RangeHasher = (range: Range) => Buffer;

/** PATH(index, D[0:size]), RFC 9162 §2.1.3.1. Throws a RangeError unless 0 ≤ index < size. */
export function inclusionProof(index: number, size: number, hashOf: RangeHasher): Buffer[] {
  return inclusionPath(index, size).map((range) => hashOf(range));
}

/** PROOF(m, D[0:n]), RFC 9162 §2.1.4.1; [] for m == n and m == 0. Throws a RangeError when m > n. */
export function consistencyProof(m: number, n: number, hashOf: RangeHasher): Buffer[] {
  return consistencyPath(m, n).map((range) => hashOf(range));
}

// LSB and right shifts of the RFC's algorithms, without 32-bit bitwise operators (sizes may pass 2^31).
/** SHA-256 output size in bytes. */
const HASH_SIZE = 32;

const lsb = (x: number): boolean => x % 2 === 1;
const shr = (x: number): number => Math.floor(x / 2);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/**
 * The root hash that `proof` yields for `leafHash` at `index` in a tree of `size` — steps 1–4 of
 * RFC 9162 §2.1.3.2 plus the sn == 0 check of step 5 — or null when the proof has the wrong
 * length or the index is out of range. Never throws.
 */
export function rootFromInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | null {
  try {
    // 1. leaf_index ≥ tree_size fails (and so does anything that is not a natural number).
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
    // `hash` is a leaf hash, HASH's output (§2.1.1): anything but 32 bytes cannot be one. Without
    // this check an empty proof would "prove" any byte string equal to the root (e.g. two empty ones).
    if (leafHash.length !== HASH_SIZE) return null;
    // 2. fn = leaf_index, sn = tree_size - 1.
    let fn = index;
    let sn = size - 1;
    // 3. r = hash.
    let r: Uint8Array = leafHash;
    // 4. For each p in inclusion_path:
    for (const p of proof) {
      // a. sn == 0: the path is longer than the tree is tall.
      if (sn === 0) return null;
      if (lsb(fn) || fn === sn) {
        // b. r is a right child (or the last node of its level, promoted until it is one).
        r = nodeHash(p, r);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        // b. otherwise r is a left child.
        r = nodeHash(r, p);
      }
      // c. Up one level.
      fn = shr(fn);
      sn = shr(sn);
    }
    // 5. (first half) sn must be 0: a path shorter than the tree is tall fails.
    if (sn !== 0) return null;
    return Buffer.from(r); // a copy: never hand back a view of the caller's leafHash
  } catch {
    return null;
  }
}

/**
 * RFC 9162 §2.1.3.2: whether `proof` shows that `leafHash` is leaf `index` of the tree of `size`
 * with root `root`. False, never an exception, for a bad index or a proof of the wrong length.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const r = rootFromInclusion(index, size, leafHash, proof);
  // 5. (second half) r must equal root_hash.
  return r !== null && sameBytes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: whether `proof` shows that the tree of size n with root rootN extends the
 * tree of size m with root rootM. The RFC covers 0 < m < n; the other cases are conventions
 * (the same as transparency-dev/merkle's): m == n is valid iff the proof is empty and the roots
 * are equal (this includes m == n == 0); 0 == m < n is valid iff the proof is empty (the empty
 * tree is consistent with every tree); m > n is never valid. Never throws.
 */
export function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  rootM: Uint8Array,
  rootN: Uint8Array,
): boolean {
  try {
    if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m <= n)) return false;
    // m == n first, so that two "empty trees" with different roots are not consistent.
    if (m === n) return proof.length === 0 && sameBytes(rootM, rootN);
    if (m === 0) return proof.length === 0;
    // 1. An empty consistency_path fails.
    if (proof.length === 0) return false;
    // 2. If first is an exact power of 2, the old root is itself a node of the new tree and the
    //    proof omits it (SUBPROOF with b = true): prepend first_hash.
    const path: readonly Uint8Array[] = isPowerOfTwo(m) ? [rootM, ...proof] : proof;
    // 3. fn = first - 1, sn = second - 1.
    let fn = m - 1;
    let sn = n - 1;
    // 4. If LSB(fn) is set, right-shift fn and sn until it is not.
    while (lsb(fn)) {
      fn = shr(fn);
      sn = shr(sn);
    }
    // 5. fr = sr = the first value of consistency_path.
    let fr: Uint8Array = path[0]!;
    let sr: Uint8Array = path[0]!;
    // 6. For each subsequent value c:
    for (let i = 1; i < path.length; i++) {
      const c = path[i]!;
      // a. sn == 0: the path is longer than the new tree is tall.
      if (sn === 0) return false;
      if (lsb(fn) || fn === sn) {
        // b. c is a left sibling, shared by both trees.
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (!lsb(fn)) {
          while (!lsb(fn) && fn !== 0) {
            fn = shr(fn);
            sn = shr(sn);
          }
        }
      } else {
        // b. c is a right sibling, present only in the new tree.
        sr = nodeHash(sr, c);
      }
      // c. Up one level.
      fn = shr(fn);
      sn = shr(sn);
    }
    // 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    return sameBytes(fr, rootM) && sameBytes(sr, rootN) && sn === 0;
  } catch {
    return false;
  }
}
