import { join } from 'node:path';
import { generateSignerKey, parseSignerKey } from '../../src/ledger/note/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { Ledger, ledgerRepo, type LedgerOptions, type LedgerRepo } from '../../src/ledger/index.js';
import type { TestStore } from './stores.js';

export const ORIGIN = 'gatehouse.test/ledger';
export const TEST_KEY = generateSignerKey(ORIGIN);
export const TEST_SIGNER = parseSignerKey(TEST_KEY.signerKey);

export interface OpenTestLedger {
  store: Store;
  repo: LedgerRepo;
  ledger: Ledger;
  close(): Promise<void>;
}

export async function openTestLedger(test: TestStore, options: Partial<LedgerOptions> = {}): Promise<OpenTestLedger> {
  const store = await openStore(test.config);
  const repo = ledgerRepo(store);
  const ledger = await Ledger.open(repo, { signer: TEST_SIGNER, checkpointIntervalMs: 0, ...options });
  return {
    store,
    repo,
    ledger,
    close: async () => {
      await ledger.close();
      await store.close();
    },
  };
}

export function event(i: number, extra: Record<string, unknown> = {}) {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
    actor: { id: `u-${i % 5}`, kind: 'human', name: `user${i % 5}` },
    action: 'db.query',
    target: { connection: 'orders', n: i },
    ...extra,
  };
}

export const witnessDirOf = (test: TestStore) => join(test.dataDir, 'witness');

/**
 * Wraps repo.append to count the commits sent and not yet answered; `most()` is the largest
 * number there were at once (more than 1: commits were pipelined).
 */
export function trackInFlight(repo: LedgerRepo): { most(): number } {
  let inFlight = 0;
  let most = 0;
  const append = repo.append.bind(repo);
  repo.append = async (batch) => {
    most = Math.max(most, ++inFlight);
    try {
      return await append(batch);
    } finally {
      inFlight--;
    }
  };
  return { most: () => most };
}
