import { EMPTY_ROOT, nodeHash } from './hash.js';
import { splitPoint } from './range.js';

// In-memory reference computation of MTH, straight from the definition. It rehashes every node
// of the range (O(n) hashes), so the ledger uses it only on small lists; proofs over the stored
// log come from perfect-subtree hashes instead (see rangeDecomposition / foldRight).

/**
 * MTH(D[start:end]) over in-memory leaf hashes, RFC 9162 §2.1.1:
 *   MTH({})   = SHA-256()                                  (EMPTY_ROOT)
 *   MTH({d0}) = leaf hash of d0                            (given here)
 *   MTH(D_n)  = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n]))      k = largest power of two < n
 * Throws a RangeError unless 0 ≤ start ≤ end ≤ leafHashes.length.
 */
export function rangeHash(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end && end <= leafHashes.length)) {
    throw new RangeError(`[${start}, ${end}) is not a range of ${leafHashes.length} leaves`);
  }
  return start === end ? EMPTY_ROOT : mth(leafHashes, start, end);
}

/** Recursion depth is log2(end - start). */
function mth(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  if (end - start === 1) return leafHashes[start]!;
  const k = splitPoint(end - start);
  return nodeHash(mth(leafHashes, start, start + k), mth(leafHashes, start + k, end));
}

/** MTH of the whole list, RFC 9162 §2.1.1; EMPTY_ROOT for no leaves. */
export function rootFromLeafHashes(leafHashes: readonly Buffer[]): Buffer {
  return rangeHash(leafHashes, 0, leafHashes.length);
}
