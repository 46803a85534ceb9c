/** Half-open [start, end) of leaf indices. Index arithmetic avoids 32-bit bitwise operators: sizes may pass 2^31. */
export interface Range {
  start: number;
  end: number;
}

/** The largest power of two k with k < n (n ≥ 2) — the split of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  if (n < 2) throw new RangeError(`splitPoint needs n ≥ 2 (got ${n})`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/**
 * The ranges whose MTH make up PATH(index, D[0:size]), RFC 9162 §2.1.3.1, in its order
 * (nearest the leaf first): for m < k, PATH(m, D[0:k]) : MTH(D[k:n]); else PATH(m-k, D[k:n]) : MTH(D[0:k]).
 */
export function inclusionPath(index: number, size: number): Range[] {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  }
  const out: Range[] = [];
  const path = (m: number, start: number, end: number): void => {
    if (end - start <= 1) return;
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
 * The ranges whose MTH make up PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true), RFC 9162 §2.1.4.1.
 * Empty for m == n and for m == 0 (every tree is consistent with the empty one).
 */
export function consistencyPath(m: number, n: number): Range[] {
  if (!(Number.isSafeInteger(m) && Number.isSafeInteger(n) && m >= 0 && m <= n)) {
    throw new RangeError(`no consistency proof from size ${m} to size ${n}`);
  }
  if (m === 0 || m === n) return [];
  const out: Range[] = [];
  const subproof = (m: number, start: number, end: number, b: boolean): void => {
    const n = end - start;
    if (m === n) {
      // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
      if (!b) out.push({ start, end });
      return;
    }
    const k = splitPoint(n);
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

/** [0, size) as perfect aligned subtrees, left to right, largest first (the binary digits of size). */
export function perfectSubtrees(size: number): Range[] {
  const out: Range[] = [];
  let width = 1;
  while (width * 2 <= size) width *= 2;
  let start = 0;
  for (; width >= 1; width /= 2) {
    if (size - start >= width) {
      out.push({ start, end: start + width });
      start += width;
    }
  }
  return out;
}

/**
 * Splits a range of the RFC tree (any range of an inclusion or consistency path, or of
 * perfectSubtrees) into perfect aligned subtrees, left to right, following §2.1.1's split:
 * MTH(D[s:e]) = foldRight(MTH of each part). Throws for a range that is not a node of the tree.
 */
export function rangeDecomposition(start: number, end: number): Range[] {
  const out: Range[] = [];
  while (start < end) {
    const n = end - start;
    const width = isPowerOfTwo(n) ? n : splitPoint(n);
    if (start % width !== 0) throw new RangeError(`[${start}, ${end}) is not a range of the Merkle tree`);
    out.push({ start, end: start + width });
    start += width;
  }
  return out;
}
