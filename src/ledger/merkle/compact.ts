import { foldRight, perfectSubtrees } from './range.js';
import { nodeHash } from './hash.js';

// The right edge of an append-only RFC 9162 tree (a "compact range" [0, size)): the hashes of
// its perfect aligned subtrees, one per binary digit of size (see perfectSubtrees). That is all
// an appender needs: appending a leaf merges equal-sized subtrees exactly like adding 1 to a
// binary counter, and the root is their right fold (§2.1.1).

/** A perfect subtree node: level 0 are leaves; (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Buffer;
}

export class Frontier {
  /**
   * `hashes[i]` is the hash of perfectSubtrees(count)[i]: left to right, largest first. Their
   * levels are implied by the binary digits of count, so they are not stored.
   */
  private constructor(
    private readonly hashes: Buffer[],
    private count: number,
  ) {}

  static empty(): Frontier {
    return new Frontier([], 0);
  }

  /**
   * From the hashes of perfectSubtrees(size), left to right (as subtreeHashes() returns them).
   * Throws a RangeError if size is not a non-negative safe integer or the count of hashes is wrong.
   */
  static fromSubtrees(size: number, hashes: readonly Buffer[]): Frontier {
    const expected = perfectSubtrees(size).length;
    if (hashes.length !== expected) {
      throw new RangeError(`a tree of size ${size} has ${expected} perfect subtrees, not ${hashes.length}`);
    }
    return new Frontier([...hashes], size);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Appends a leaf hash. Adding a leaf to a tree of size s completes one perfect subtree per
   * trailing 1 bit of s: each time the two rightmost subtrees have the same size they become
   * the two children of a new node, HASH(0x01 ‖ left ‖ right) (§2.1.1). onNode is told about each
   * such node (level ≥ 1), bottom-up. Amortized 1 hash per append; only push/pop on the array.
   */
  append(leafHash: Buffer, onNode?: (node: CompletedNode) => void): void {
    if (this.count >= Number.MAX_SAFE_INTEGER) throw new RangeError('the tree is full');
    const hashes = this.hashes;
    let h = leafHash;
    let level = 0;
    // rest = floor(count / 2^level): its lowest bit says whether a subtree of 2^level leaves is
    // waiting on the left; after the merge it is the index of the new node at level + 1.
    let rest = this.count;
    while (rest % 2 === 1) {
      h = nodeHash(hashes.pop()!, h);
      level++;
      rest = (rest - 1) / 2;
      onNode?.({ level, index: rest, hash: h });
    }
    hashes.push(h);
    this.count++;
  }

  /**
   * Appends a whole perfect subtree of 2^level leaves, given its root hash: the same tree as
   * appending its leaves one by one, for callers that hashed the subtree elsewhere (verify
   * hashes blocks of 16 leaves in worker threads). The size must be a multiple of 2^level.
   * onNode is told about the nodes completed above the subtree (level > `level`), bottom-up.
   */
  appendSubtree(hash: Buffer, level: number, onNode?: (node: CompletedNode) => void): void {
    const width = 2 ** level;
    if (this.count % width !== 0) throw new RangeError(`a subtree of ${width} leaves cannot follow ${this.count} leaves`);
    if (this.count + width > Number.MAX_SAFE_INTEGER) throw new RangeError('the tree is full');
    let h = hash;
    let rest = this.count / width;
    while (rest % 2 === 1) {
      h = nodeHash(this.hashes.pop()!, h);
      level++;
      rest = (rest - 1) / 2;
      onNode?.({ level, index: rest, hash: h });
    }
    this.hashes.push(h);
    this.count += width;
  }

  /** MTH(D[0:size]) = foldRight(subtree hashes) (§2.1.1); EMPTY_ROOT for the empty tree. */
  root(): Buffer {
    return foldRight(this.hashes);
  }

  /** The hashes of perfectSubtrees(size), left to right (a copy). */
  subtreeHashes(): Buffer[] {
    return [...this.hashes];
  }

  clone(): Frontier {
    return new Frontier([...this.hashes], this.count);
  }
}
