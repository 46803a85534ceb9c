import { consistencyPath, inclusionPath } from './merkle/index.js';
import type { LedgerRepo } from './repo/index.js';
import { rangeHashes } from './tree-store.js';
import { LedgerError } from './errors.js';

export interface InclusionProof {
  index: number;
  size: number;
  leaf_hash: string;
  hashes: string[];
  checkpoint: string | null;
}

export interface ConsistencyProof {
  from: number;
  to: number;
  hashes: string[];
  checkpoint_from: string | null;
  checkpoint_to: string | null;
}

const b64 = (b: Buffer) => b.toString('base64');

/** RFC 9162 §2.1.3 inclusion proof of entry `index` in the tree of `size`, from stored hashes (O(log n)). */
export async function inclusionProof(repo: LedgerRepo, index: number, size: number): Promise<InclusionProof> {
  const stored = await repo.size();
  if (!Number.isSafeInteger(size) || size < 1 || size > stored) {
    throw new LedgerError(`size must be between 1 and the log size ${stored} (got ${size})`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new LedgerError(`index must be between 0 and ${size - 1} (got ${index})`);
  }
  const [leaf, ...hashes] = await rangeHashes(repo, [{ start: index, end: index + 1 }, ...inclusionPath(index, size)]);
  const checkpoint = await repo.checkpointAt(size);
  return { index, size, leaf_hash: b64(leaf!), hashes: hashes.map(b64), checkpoint: checkpoint?.note ?? null };
}

/** RFC 9162 §2.1.4 consistency proof between the trees of sizes `from` and `to`. */
export async function consistencyProof(repo: LedgerRepo, from: number, to: number): Promise<ConsistencyProof> {
  const stored = await repo.size();
  if (!Number.isSafeInteger(to) || to < 0 || to > stored) {
    throw new LedgerError(`--to must be between 0 and the log size ${stored} (got ${to})`);
  }
  if (!Number.isSafeInteger(from) || from < 0 || from > to) {
    throw new LedgerError(`--from must be between 0 and --to ${to} (got ${from})`);
  }
  const hashes = await rangeHashes(repo, consistencyPath(from, to));
  const [cpFrom, cpTo] = await Promise.all([repo.checkpointAt(from), repo.checkpointAt(to)]);
  return {
    from,
    to,
    hashes: hashes.map(b64),
    checkpoint_from: cpFrom?.note ?? null,
    checkpoint_to: cpTo?.note ?? null,
  };
}
