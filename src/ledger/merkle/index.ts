// RFC 9162 (Certificate Transparency v2) §2.1 Merkle tree math: pure, no I/O.
export { leafHash, leafHashInto, nodeHash, perfectRootInto, EMPTY_ROOT } from './hash.js';
export {
  splitPoint,
  isPowerOfTwo,
  inclusionPath,
  consistencyPath,
  perfectSubtrees,
  rangeDecomposition,
  foldRight,
  type Range,
} from './range.js';
export { rangeHash, rootFromLeafHashes } from './tree.js';
export {
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  rootFromInclusion,
  type RangeHasher,
} from './proof.js';
export { Frontier, type CompletedNode } from './compact.js';
