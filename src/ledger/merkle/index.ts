export { leafHash, nodeHash, EMPTY_ROOT } from './hash.js';
export {
  splitPoint,
  isPowerOfTwo,
  inclusionPath,
  consistencyPath,
  perfectSubtrees,
  rangeDecomposition,
  type Range,
} from './range.js';
export { foldRight, rangeHash, rootFromLeafHashes } from './tree.js';
export {
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  type RangeHasher,
} from './proof.js';
export { Frontier, type CompletedNode } from './compact.js';
