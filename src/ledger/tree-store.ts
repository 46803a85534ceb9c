import {
  EMPTY_ROOT,
  Frontier,
  foldRight,
  leafHash,
  perfectSubtrees,
  rangeDecomposition,
  rootFromLeafHashes,
  type Range,
} from './merkle/index.js';
import type { EntryBytes, EntryRow, LedgerRepo, NodeRow, NodeRun } from './repo/index.js';
import { LedgerError } from './errors.js';

/**
 * Which node hashes the ledger stores. Leaf hashes (level 0) sit beside each entry; above
 * them, the hash of every complete perfect subtree at levels 4, 8, 12, … — one row per 16
 * leaves, one per 256, and so on (about 1/15 of a row per entry). Any perfect aligned
 * subtree of height h is then at most 2^3 = 8 stored hashes and 7 hash operations away,
 * so a proof needs O(log n) stored hashes and never rehashes the log. This is the same
 * idea as the C2SP tlog-tiles layout (tiles of height 8), with strata of height 4 to keep
 * proof assembly cheap.
 */
export const STRATUM = 4;

export function isStoredLevel(level: number): boolean {
  return level % STRATUM === 0;
}

/** The stored hashes that make up the perfect aligned subtree [start, start + 2^height): one run of ≤ 8. */
function storedRunFor(subtree: Range): NodeRun {
  const height = Math.log2(subtree.end - subtree.start);
  const level = height - (height % STRATUM);
  const width = 2 ** level;
  return { level, index: subtree.start / width, count: 2 ** (height - level) };
}

/** Fetches stored hashes run by run (LedgerRepo.hashes, or a synchronous reader inside a transaction). */
type StoredHashes = (runs: readonly NodeRun[]) => (Buffer | undefined)[][];

/** The runs of stored hashes each range is made of. */
function plan(ranges: readonly Range[]): NodeRun[][] {
  return ranges.map((range) => rangeDecomposition(range.start, range.end).map(storedRunFor));
}

/** Each range's hash from the hashes fetched for its plan. */
function fold(plans: readonly NodeRun[][], found: (Buffer | undefined)[][]): Buffer[] {
  let next = 0;
  return plans.map((runs) =>
    foldRight(
      runs.map((run) => {
        const stored = found[next++]!.map((hash, i) => {
          if (!hash) {
            throw new LedgerError(
              `the store has no hash at level ${run.level} index ${run.index + i}: it is damaged; run gatehouse ledger verify`,
            );
          }
          return hash;
        });
        // The stored hashes are the "leaves" of a perfect subtree: combining them is MTH over them.
        return rootFromLeafHashes(stored);
      }),
    ),
  );
}

/**
 * MTH(D[start:end]) for each range, from stored hashes only. Ranges must be perfect aligned
 * subtrees or the ranges of inclusion/consistency paths and of perfectSubtrees(size).
 * All stored hashes needed are fetched in one call to the repository.
 */
export async function rangeHashes(repo: Pick<LedgerRepo, 'hashes'>, ranges: readonly Range[]): Promise<Buffer[]> {
  const plans = plan(ranges);
  return fold(plans, await repo.hashes(plans.flat()));
}

export async function rootAt(repo: LedgerRepo, size: number): Promise<Buffer> {
  if (size === 0) return EMPTY_ROOT;
  return foldRight(await rangeHashes(repo, perfectSubtrees(size)));
}

/** The right edge of the tree of the first `size` entries, to append after them. */
export async function loadFrontier(repo: Pick<LedgerRepo, 'hashes'>, size: number): Promise<Frontier> {
  if (size === 0) return Frontier.empty();
  return Frontier.fromSubtrees(size, await rangeHashes(repo, perfectSubtrees(size)));
}

/** loadFrontier with a synchronous reader, for a store that appends inside a synchronous transaction. */
export function loadFrontierSync(hashes: StoredHashes, size: number): Frontier {
  if (size === 0) return Frontier.empty();
  const plans = plan(perfectSubtrees(size));
  return Frontier.fromSubtrees(size, fold(plans, hashes(plans.flat())));
}

/**
 * Adds entries to the tree (the frontier is changed in place): each entry's row with its leaf
 * hash, SHA-256(0x00 ‖ entry) (RFC 9162 §2.1.1), and the node hashes this completes at stored levels.
 */
export function extendTree(frontier: Frontier, entries: readonly EntryBytes[]): { rows: EntryRow[]; nodes: NodeRow[] } {
  const startIndex = frontier.size;
  const nodes: NodeRow[] = [];
  const onNode = (node: NodeRow) => {
    if (isStoredLevel(node.level)) nodes.push(node);
  };
  const rows = entries.map((given, i): EntryRow => {
    const entry = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
    const hash = leafHash(entry);
    frontier.append(hash, onNode);
    return { index: startIndex + i, leafHash: hash, entry };
  });
  return { rows, nodes };
}
