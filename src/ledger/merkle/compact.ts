import { EMPTY_ROOT, nodeHash } from './hash.js';
import { perfectSubtrees } from './range.js';

/** A perfect subtree node: level 0 are leaves; (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface CompletedNode {
  level: number;
  index: number;
  hash: Buffer;
}

interface Peak {
  level: number;
  start: number;
  hash: Buffer;
}

/**
 * The right edge of an append-only tree: the roots of its perfect subtrees (one per set bit
 * of the size), enough to append in amortized O(1) hashes and to compute the root (§2.1.1).
 */
export class Frontier {
  private constructor(
    private peaks: Peak[],
    private count: number,
  ) {}

  static empty(): Frontier {
    return new Frontier([], 0);
  }

  /** From the hashes of perfectSubtrees(size), left to right. */
  static fromSubtrees(size: number, hashes: readonly Buffer[]): Frontier {
    const ranges = perfectSubtrees(size);
    if (ranges.length !== hashes.length) {
      throw new RangeError(`a tree of size ${size} has ${ranges.length} perfect subtrees, not ${hashes.length}`);
    }
    const peaks = ranges.map((r, i) => ({ level: Math.log2(r.end - r.start), start: r.start, hash: hashes[i]! }));
    return new Frontier(peaks, size);
  }

  get size(): number {
    return this.count;
  }

  /** Adds a leaf; reports each perfect subtree it completes (level ≥ 1), bottom-up. */
  append(leafHash: Buffer, onNode?: (node: CompletedNode) => void): void {
    const peaks = this.peaks;
    let peak: Peak = { level: 0, start: this.count, hash: leafHash };
    while (peaks.length > 0 && peaks[peaks.length - 1]!.level === peak.level) {
      const left = peaks.pop()!;
      const level = peak.level + 1;
      peak = { level, start: left.start, hash: nodeHash(left.hash, peak.hash) };
      onNode?.({ level, index: left.start / 2 ** level, hash: peak.hash });
    }
    peaks.push(peak);
    this.count++;
  }

  root(): Buffer {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let h = this.peaks[this.peaks.length - 1]!.hash;
    for (let i = this.peaks.length - 2; i >= 0; i--) h = nodeHash(this.peaks[i]!.hash, h);
    return h;
  }

  subtreeHashes(): Buffer[] {
    return this.peaks.map((p) => p.hash);
  }

  clone(): Frontier {
    return new Frontier([...this.peaks], this.count);
  }
}
