import type { Ledger } from '../ledger/index.js';
import type { Outcome } from './audit.js';
import { resultsEntry, resultsEvent, type ResultRecord } from './results-entry.js';

interface PendingOutcome {
  entry: Promise<number>;
  session: string;
  outcome: Outcome;
}

/**
 * Records outcomes in batches: one `db.results` event lists the outcomes of many statements
 * (each naming the index of its `db.query` entry), so that recording results does not double
 * the ledger's work per statement. A batch is written when it is full or `intervalMs` after
 * its first outcome, and at close.
 */
export class OutcomeRecorder {
  private pending: PendingOutcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: Ledger,
    private readonly onError: (error: Error) => void,
    private readonly options: { maxBatch: number; intervalMs: number } = { maxBatch: 500, intervalMs: 200 },
  ) {}

  add(entry: Promise<number>, session: string, outcome: Outcome): void {
    this.pending.push({ entry, session, outcome });
    if (this.pending.length >= this.options.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.intervalMs);
  }

  /** Writes what is pending; resolves when every batch so far is written (or failed). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  private async write(batch: PendingOutcome[]): Promise<void> {
    const settled = await Promise.allSettled(batch.map((p) => p.entry));
    const results: ResultRecord[] = [];
    const errors: Record<string, string> = {};
    settled.forEach((s, i) => {
      if (s.status === 'rejected') return; // the statement's own entry failed: it was refused, not run
      const { session, outcome } = batch[i]!;
      // Members in RFC 8785 order (ResultRecord): resultsEntry writes them with one JSON.stringify.
      results.push({
        duration_ms: Math.round(outcome.durationMs * 1000) / 1000,
        entry: s.value,
        rows: outcome.rows,
        session,
        ...(outcome.sqlstate ? { sqlstate: outcome.sqlstate } : {}),
        status: outcome.status,
        tags: outcome.tags,
      });
      if (outcome.error) errors[String(s.value)] = outcome.error;
    });
    if (results.length === 0) return;
    try {
      // Nobody waits on outcomes: they are deferred, to share the next commit.
      const prepared = resultsEntry(results, errors);
      if (prepared) await this.ledger.appendPrepared([prepared], { deferred: true });
      else await this.ledger.append(resultsEvent(results, errors), { deferred: true });
    } catch (error) {
      this.onError(error as Error);
    }
  }
}
