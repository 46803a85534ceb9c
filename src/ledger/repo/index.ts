import type { Store } from '../../store/index.js';
import { postgresLedgerRepo } from './postgres.js';
import { sqliteLedgerRepo } from './sqlite.js';
import type { LedgerRepo } from './types.js';

export type * from './types.js';

export function ledgerRepo(store: Store): LedgerRepo {
  return store.kind === 'sqlite' ? sqliteLedgerRepo(store.sqlite) : postgresLedgerRepo(store.pool);
}
