import { resolveStoreConfig } from '../src/config/store.js';
import { ledgerRepo } from '../src/ledger/index.js';
import { openStore } from '../src/store/index.js';

/** What a gateway's ledger says about the statements of one connection. */
export interface LedgerTally {
  /** `db.query` entries on the connection. */
  queries: number;
  allowed: number;
  denied: number;
  /** The outcomes (`db.results`) of the connection's allowed statements, by status. */
  outcomes: { ok: number; error: number; not_run: number };
}

export interface LedgerEvent {
  action?: string;
  target?: { name?: string; engine?: string };
  decision?: { allow?: boolean };
  outcome?: { results?: { entry: number; status: keyof LedgerTally['outcomes'] }[] };
}

/**
 * Counts, entry by entry, the `db.query` entries whose target is `connection` (of `engine`)
 * and the outcomes of the allowed ones (a `db.results` entry always follows the entries it
 * speaks of, since it names their indexes).
 */
export class LedgerTallier {
  readonly tally: LedgerTally = { queries: 0, allowed: 0, denied: 0, outcomes: { ok: 0, error: 0, not_run: 0 } };
  private readonly allowed = new Set<number>();

  constructor(
    private readonly connection: string,
    private readonly engine: string,
  ) {}

  add(index: number, event: LedgerEvent): void {
    const { tally } = this;
    if (event.action === 'db.query' && event.target?.name === this.connection && event.target.engine === this.engine) {
      tally.queries++;
      if (event.decision?.allow) {
        tally.allowed++;
        this.allowed.add(index);
      } else tally.denied++;
    } else if (event.action === 'db.results') {
      for (const r of event.outcome?.results ?? []) if (this.allowed.has(r.entry)) tally.outcomes[r.status]++;
    }
  }
}

/** Reads a stopped gateway's ledger (the SQLite store in `dataDir`) and tallies one connection. */
export async function readLedgerTally(dataDir: string, connection: string, engine: string): Promise<LedgerTally> {
  // No environment: the bench's gateways ran on their data directory alone (see cliEnv).
  const store = await openStore(resolveStoreConfig({ dataDir }, {}));
  try {
    const repo = ledgerRepo(store);
    const tallier = new LedgerTallier(connection, engine);
    const page = 1000;
    for (let start = 0; ; start += page) {
      const rows = await repo.entries(start, page);
      for (const row of rows) tallier.add(row.index, JSON.parse(row.entry.toString('utf8')) as LedgerEvent);
      if (rows.length < page) return tallier.tally;
    }
  } finally {
    await store.close();
  }
}
