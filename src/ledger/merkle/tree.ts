import { EMPTY_ROOT, nodeHash } from './hash.js';
import { splitPoint } from './range.js';

/**
 * Combines the hashes of consecutive subtrees the way §2.1.1 nests them on the right edge:
 * h = last; then for each earlier hash, h = nodeHash(earlier, h).
 */
export function foldRight(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let h = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/** MTH(D[start:end]) over in-memory leaf hashes, RFC 9162 §2.1.1. */
export function rangeHash(leafHashes: readonly Buffer[], start: number, end: number): Buffer {
  if (start === end) return EMPTY_ROOT;
  if (end - start === 1) return leafHashes[start]!;
  const k = splitPoint(end - start);
  return nodeHash(rangeHash(leafHashes, start, start + k), rangeHash(leafHashes, start + k, end));
}

/** MTH of the whole list (EMPTY_ROOT for none). */
export function rootFromLeafHashes(leafHashes: readonly Buffer[]): Buffer {
  return rangeHash(leafHashes, 0, leafHashes.length);
}
