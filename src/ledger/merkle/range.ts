import { EMPTY_ROOT, nodeHash } from './hash.js';

// Index arithmetic for RFC 9162 §2.1 Merkle trees: which leaf ranges make up a proof, and how
// each of them splits into perfect aligned subtrees (the only hashes the ledger stores).
//
// Indices and sizes are plain numbers and may exceed 2^31, so nothing here uses the 32-bit
// bitwise operators (|, &, >>, <<): only +, -, *, /, %, Math.floor and comparisons, which are
// exact for integers up to 2^53.

/** Half-open [start, end) of leaf indices: D[start:end] in the RFC's notation. */
export interface Range {
  start: number;
  end: number;
}

function checkCount(name: string, x: number): void {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${name} must be a non-negative safe integer (got ${x})`);
}

/**
 * The largest power of two k with k < n, for n ≥ 2: where RFC 9162 §2.1.1 splits D_n into
 * MTH(D_n) = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])). The left part is always a perfect subtree.
 */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`splitPoint needs an integer n ≥ 2 (got ${n})`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Whether n is 2^j for some j ≥ 0. */
export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * The ranges whose MTH make up PATH(index, D[0:size]), RFC 9162 §2.1.3.1, in the order its
 * recursive definition yields (nearest the leaf first). With k = splitPoint(n):
 *   PATH(0, {d0}) = {}
 *   PATH(m, D_n) = PATH(m, D[0:k]) : MTH(D[k:n])      for m < k
 *   PATH(m, D_n) = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m ≥ k
 * Throws a RangeError unless 0 ≤ index < size.
 */
export function inclusionPath(index: number, size: number): Range[] {
  checkCount('size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  }
  const out: Range[] = [];
  // The recursion is at most log2(size) ≤ 53 deep; the sibling is pushed after the recursive
  // call returns, which gives the RFC's order (the deepest sibling first).
  const path = (m: number, start: number, end: number): void => {
    if (end - start === 1) return;
    const k = splitPoint(end - start);
    if (m < k) {
      path(m, start, start + k);
      out.push({ start: start + k, end });
    } else {
      path(m - k, start + k, end);
      out.push({ start, end: start + k });
    }
  };
  path(index, 0, size);
  return out;
}

/**
 * The ranges whose MTH make up PROOF(m, D[0:n]) = SUBPROOF(m, D_n, true), RFC 9162 §2.1.4.1:
 *   SUBPROOF(m, D[m], true)  = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D_n, b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])            for m ≤ k
 *   SUBPROOF(m, D_n, b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])    for m > k
 * (b records whether the subtree whose hash is being proven is the old root itself, which the
 * verifier already has.) The RFC defines it for 0 < m < n; for m == n and for m == 0 (every tree
 * extends the empty tree) this returns []. Throws a RangeError when m > n or either is negative.
 */
export function consistencyPath(m: number, n: number): Range[] {
  checkCount('m', m);
  checkCount('n', n);
  if (m > n) throw new RangeError(`no consistency proof from size ${m} back to size ${n}`);
  if (m === 0 || m === n) return [];
  const out: Range[] = [];
  const subproof = (m: number, start: number, end: number, b: boolean): void => {
    if (m === end - start) {
      if (!b) out.push({ start, end });
      return;
    }
    const k = splitPoint(end - start);
    if (m <= k) {
      subproof(m, start, start + k, b);
      out.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      out.push({ start, end: start + k });
    }
  };
  subproof(m, 0, n, true);
  return out;
}

/**
 * [0, size) as perfect aligned subtrees, left to right, largest first: one subtree of 2^j leaves
 * for each binary digit j set in size (13 = 8 + 4 + 1 → [0,8), [8,12), [12,13)). These are the
 * nodes on the right edge of an append-only tree, and by §2.1.1 (the left part of every split is
 * the largest power of two below the size) MTH(D[0:size]) = foldRight(their hashes).
 */
export function perfectSubtrees(size: number): Range[] {
  checkCount('size', size);
  return binaryDigits(0, size);
}

/** [start, start + length) cut into the binary digits of length, largest first. */
function binaryDigits(start: number, length: number): Range[] {
  const out: Range[] = [];
  let width = 1;
  while (width * 2 <= length) width *= 2;
  let at = start;
  for (let left = length; left > 0; width /= 2) {
    if (left >= width) {
      out.push({ start: at, end: at + width });
      at += width;
      left -= width;
    }
  }
  return out;
}

/**
 * Splits a range of the tree — any range returned by inclusionPath, consistencyPath or
 * perfectSubtrees, or a single leaf — into perfect aligned subtrees, left to right, largest
 * first, such that MTH(D[start:end]) = foldRight(hashes of the parts).
 *
 * Why this holds (§2.1.1): MTH(D[s:e]) = HASH(0x01 ‖ MTH(D[s:s+k]) ‖ MTH(D[s+k:e])) with k the
 * largest power of two below e - s, and the left part is perfect; recursing on the right part
 * peels off the binary digits of e - s, largest first, and nests the hashes to the right —
 * exactly foldRight. The parts are aligned (each starts at a multiple of its width, so it is a
 * node the ledger stores) iff start is a multiple of the largest part; every node of an RFC
 * tree rooted at 0 satisfies this. Other ranges (e.g. [3, 7)) are not nodes of any such tree and
 * throw a RangeError. An empty range gives [] (whose fold is EMPTY_ROOT).
 */
export function rangeDecomposition(start: number, end: number): Range[] {
  checkCount('start', start);
  checkCount('end', end);
  if (end < start) throw new RangeError(`[${start}, ${end}) is not a range`);
  const parts = binaryDigits(start, end - start);
  const first = parts[0];
  if (first !== undefined && start % (first.end - first.start) !== 0) {
    throw new RangeError(`[${start}, ${end}) is not a node of a Merkle tree rooted at 0`);
  }
  return parts;
}

/**
 * Combines the hashes of consecutive perfect subtrees (as produced by rangeDecomposition or
 * perfectSubtrees, left to right) into the MTH of their union, nesting to the right as
 * RFC 9162 §2.1.1 does:
 *   h = hashes[last]
 *   for i = last - 1 down to 0:  h = nodeHash(hashes[i], h)
 * e.g. foldRight([a, b, c]) = nodeHash(a, nodeHash(b, c)). One hash gives itself; none gives
 * EMPTY_ROOT (MTH({})).
 */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}
