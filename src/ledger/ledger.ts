import { formatCheckpoint, signNote, verifierKeyOf, type Signer } from './note/index.js';
import type { Frontier } from './merkle/index.js';
import { prepareEntry, type PreparedEntry, type PrepareOptions } from './event.js';
import type { AppendBatch, Appended, CheckpointRow, LedgerRepo } from './repo/index.js';
import { loadFrontier } from './tree-store.js';
import type { WitnessSink } from './witness.js';
import { LedgerError } from './errors.js';
import { CommitCounters, type CommitStats } from './commit-stats.js';

export const ORIGIN_META_KEY = 'ledger.origin';

export interface LedgerOptions {
  signer: Signer;
  /** Sign a checkpoint this often while there are new entries; 0 turns the timer off. */
  checkpointIntervalMs?: number;
  /** The most entries one group commit writes. */
  maxBatch?: number;
  /**
   * How long a deferred append may wait for company before its commit starts (default 10 ms).
   * Deferred appends are those nobody waits on (the gateway's async audit mode, outcome
   * records): gathering them into fewer, larger commits costs each one less. An ordinary
   * append, a full batch or drain() starts the commit at once.
   */
  deferMs?: number;
  /**
   * When this many entries are queued, they are sent to the repo at once, even while earlier
   * commits are in flight, on repos that pipeline (SQLite's writer thread): encoding the next
   * chunk then overlaps committing this one (default 256).
   */
  pipelineChunk?: number;
  witnesses?: WitnessSink[];
  /**
   * Where background failures are reported: timer checkpoints, witnesses, a commit that
   * failed (once per spell of failures) and deferred entries given up.
   */
  onError?: (error: Error) => void;
  /** Told when a commit succeeds again after failed ones: how many kept entries it wrote, and after how long. */
  onRecovered?: (recovery: { kept: number; downMs: number }) => void;
  /**
   * The most deferred entries kept through failed commits to be tried again (default
   * 100,000); beyond it the oldest are given up, and reported.
   */
  maxKept?: number;
  /** How long kept entries wait before they are tried again: the first delay, doubling up to the last (default 100 ms to 5 s). */
  retryMs?: { first: number; max: number };
  prepare?: PrepareOptions;
}

interface PendingUnit {
  entries: PreparedEntry[];
  deferred: boolean;
  /** Set once a commit with this (deferred) unit failed and it went back in the queue. */
  kept?: boolean;
  /** When an append someone waits on was queued (performance.now()), for CommitStats.durable_wait. */
  queuedAt?: number;
  resolve(firstIndex: number): void;
  reject(error: Error): void;
}

interface CommitInFlight {
  units: PendingUnit[];
  /** Where the commit went, or why it failed. */
  done: Promise<Appended | Error>;
}

/** Commits a pipelining repo may hold at once: enough to keep its writer busy, few enough to bound memory. */
const MAX_IN_FLIGHT = 4;

/**
 * After a failed commit, kept entries are tried again after this long, doubling up to the
 * maximum while commits keep failing (a full disk frees up in seconds or minutes, not at once).
 */
const RETRY_MS = { first: 100, max: 5000 } as const;

const entriesIn = (units: readonly PendingUnit[]) => units.reduce((n, u) => n + u.entries.length, 0);

/** How an append may be committed. */
export interface AppendOptions {
  /** The caller does not wait on this entry: it may wait up to `deferMs` to share a commit. */
  deferred?: boolean;
}

/**
 * The writing side of the ledger. `append` resolves with the entry's index only once the
 * entry is committed (durable). Appends arriving while a commit is in flight wait and go
 * together into the next one (group commit), so throughput does not cost one fsync each.
 */
export class Ledger {
  private queue: PendingUnit[] = [];
  private queuedEntries = 0;
  /** Queued units that are not deferred: while there is one, the next commit starts at once. */
  private urgentQueued = 0;
  private flushing: Promise<void> | undefined;
  /** Commits sent to the repo and not yet answered, oldest first. */
  private inFlight: CommitInFlight[] = [];
  /** Ends a deferred wait early (set while the flush loop waits for company). */
  private wake: (() => void) | undefined;
  /** Whether a sendSoon() is due at the end of this turn. */
  private sendScheduled = false;
  private draining = 0;
  private checkpointing: Promise<CheckpointRow | undefined> = Promise.resolve(undefined);
  private lastCheckpointSize: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set by beginClose(): from then on a failed commit gives up its deferred entries instead of keeping them. */
  private closing = false;
  /** The last timer checkpoint's failure, while no checkpoint has succeeded since. */
  private checkpointFailure: string | undefined;
  /** Why the last commit failed, while no commit has succeeded since (see `failing`). */
  private failure: { error: Error; since: number; retryMs: number } | undefined;
  /** Told at the end of every settled commit and when the commit loop stops (drain waits on it). */
  private settleWaiters: (() => void)[] = [];
  private readonly counters = new CommitCounters();

  private constructor(
    readonly repo: LedgerRepo,
    readonly origin: string,
    private frontier: Frontier,
    private readonly options: LedgerOptions,
    lastCheckpointSize: number,
  ) {
    this.lastCheckpointSize = lastCheckpointSize;
    const interval = options.checkpointIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        if (this.frontier.size <= this.lastCheckpointSize) return;
        this.checkpoint().then(
          () => (this.checkpointFailure = undefined),
          (e: Error) => {
            // Once per cause while it lasts, not every interval (a full disk lasts minutes).
            if (e.message === this.checkpointFailure) return;
            this.checkpointFailure = e.message;
            this.report(new LedgerError(`the ledger could not store a checkpoint: ${e.message}`, { cause: e }));
          },
        );
      }, interval);
      this.timer.unref();
    }
  }

  /**
   * Opens the ledger for writing. The origin is fixed at the first open; the signer must be for it.
   * Its verifier key is recorded so that checkpoints it signs stay verifiable after a rotation.
   */
  static async open(repo: LedgerRepo, options: LedgerOptions): Promise<Ledger> {
    const origin = await repo.metaSetIfAbsent(ORIGIN_META_KEY, options.signer.name);
    if (origin !== options.signer.name) {
      throw new LedgerError(
        `the signing key is for origin "${options.signer.name}" but this ledger's origin is "${origin}"`,
      );
    }
    await repo.addVerifierKey(verifierKeyOf(options.signer), new Date().toISOString());
    const frontier = await loadFrontier(repo, await repo.size());
    const latest = await repo.latestCheckpoint();
    return new Ledger(repo, origin, frontier, options, latest?.size ?? 0);
  }

  /** The verifier key (C2SP note format) of the key that signs this ledger's checkpoints. */
  get verifierKey(): string {
    return verifierKeyOf(this.options.signer);
  }

  /** How this writer's group commits have gone since it opened (commit-stats.ts). */
  commitStats(): CommitStats {
    return this.counters.snapshot(this.commitFailure);
  }

  /** While commits fail (see `failing`): since when, and the store's last error; else null. */
  get commitFailure(): CommitStats['failing'] {
    const f = this.failure;
    return f ? { since: new Date(f.since).toISOString(), error: (f.error.cause as Error).message } : null;
  }

  /**
   * Whether the store refuses commits: the last one failed (a full disk, a dead database)
   * and none has succeeded since. Appends someone waits on fail while it lasts; deferred ones
   * are kept and tried again, so a caller that cannot afford to lose an entry should wait on
   * its append meanwhile (the gateways' async mode does).
   */
  get failing(): boolean {
    return this.failure !== undefined;
  }

  /** Entries committed by this writer's view of the log. */
  get size(): number {
    return this.frontier.size;
  }

  /**
   * Appends one event; a malformed one rejects (EventError) and nothing is queued. Not an
   * async function, for the reason given at appendPrepared.
   */
  append(event: unknown, options?: AppendOptions): Promise<number> {
    let entry: PreparedEntry;
    try {
      entry = prepareEntry(event, this.options.prepare);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.enqueue([entry], options);
  }

  /** Appends all or nothing, in one transaction; resolves with their indexes in order. */
  async appendMany(events: readonly unknown[]): Promise<number[]> {
    if (events.length === 0) return [];
    const entries = events.map((e) => prepareEntry(e, this.options.prepare));
    const first = await this.enqueue(entries);
    return entries.map((_, i) => first + i);
  }

  /**
   * Appends entries already validated and encoded (prepareEntry), all or nothing. Not an async
   * function: it returns the queue's own promise, one promise per call instead of two (the
   * gateway makes one call per statement).
   */
  appendPrepared(entries: PreparedEntry[], options?: AppendOptions): Promise<number> {
    return this.enqueue(entries, options);
  }

  private enqueue(entries: PreparedEntry[], options?: AppendOptions): Promise<number> {
    if (this.closed) return Promise.reject(new LedgerError('the ledger is closed'));
    return new Promise((resolve, reject) => {
      const deferred = options?.deferred === true;
      this.queue.push({ entries, deferred, ...(deferred ? {} : { queuedAt: performance.now() }), resolve, reject });
      this.queuedEntries += entries.length;
      if (!deferred) this.urgentQueued++;
      if (!this.flushing) this.flushing = this.flush();
      else if (this.chunkReady()) {
        // Sent from here, mid-turn, so that the repo commits this chunk while the caller encodes
        // the next; the commit loop is woken to answer it.
        this.dispatch(this.takeBatch());
        this.wake?.();
      } else if (this.commitDue()) {
        this.wake?.();
        if (!deferred && this.inFlight.length > 0) this.sendSoon();
      }
    });
  }

  /**
   * Sends the queue at the end of this turn of the event loop, without waiting for the commits
   * in flight, when something urgent waits and the repo pipelines (SQLite's writer thread,
   * which commits every batch that waits for it in one transaction): an urgent append that
   * arrives mid-commit is then committed right after that commit instead of after its answer
   * has come back here. Everything urgent issued in this turn goes together.
   */
  private sendSoon(): void {
    if (this.sendScheduled || !this.canPipeline()) return;
    this.sendScheduled = true;
    setImmediate(() => {
      this.sendScheduled = false;
      if (this.urgentQueued > 0 && this.inFlight.length > 0 && this.canPipeline()) this.dispatch(this.takeBatch());
    });
  }

  private get maxBatch(): number {
    return this.options.maxBatch ?? 1000;
  }

  private commitDue(): boolean {
    if (this.urgentQueued > 0 || this.closing) return true;
    // While commits fail, kept entries wait for the retry delay, however many there are.
    if (this.failure) return false;
    return this.draining > 0 || this.queuedEntries >= this.maxBatch || (this.options.deferMs ?? 10) <= 0;
  }

  /**
   * Resolves when the next commit should start: on the next turn of the event loop (so that
   * every append issued in this turn joins it) when something is urgent, else after `deferMs`
   * (after the retry delay while commits fail) or as soon as something urgent arrives.
   */
  private commitReady(): Promise<void> {
    return new Promise((resolve) => {
      if (this.commitDue()) return void setImmediate(resolve);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        setImmediate(resolve);
      };
      const timer = setTimeout(done, this.failure ? this.failure.retryMs : (this.options.deferMs ?? 10));
      this.wake = done;
    });
  }

  /**
   * The commit loop. A full chunk is dispatched at once, even while earlier commits are in
   * flight (pipelining, when the repo allows it), and so is anything urgent at the end of its
   * turn (sendSoon); the rest waits for the commits in flight to finish and then goes as one
   * group commit.
   */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.inFlight.length > 0) {
        if (this.chunkReady()) this.dispatch(this.takeBatch());
        else if (this.inFlight.length > 0) {
          await this.settleHead();
          // Urgent appends that could not be sent beside the commits in flight (too many) go now.
          if (this.urgentQueued > 0 && this.inFlight.length > 0) this.sendSoon();
        } else {
          await this.commitReady();
          // Chunks sent mid-turn may be in flight by now: the rest of that burst follows them.
          if (this.queue.length > 0 && (this.inFlight.length === 0 || this.canPipeline())) this.dispatch(this.takeBatch());
        }
      }
    } finally {
      this.flushing = undefined;
      this.notifySettled();
    }
  }

  /** Whether a full chunk may be sent now, ahead of the commits in flight (not while commits fail). */
  private chunkReady(): boolean {
    return this.queuedEntries >= this.pipelineChunk && this.canPipeline() && !this.failure;
  }

  /** Whether another commit may be sent before those in flight have answered. */
  private canPipeline(): boolean {
    return this.repo.pipelined === true && this.inFlight.length < MAX_IN_FLIGHT;
  }

  private get pipelineChunk(): number {
    return Math.min(this.options.pipelineChunk ?? 256, this.maxBatch);
  }

  /** Whole units, up to maxBatch entries (a single larger unit goes alone: it must stay atomic). */
  private takeBatch(): PendingUnit[] {
    const max = this.maxBatch;
    let units = 0;
    let count = 0;
    let urgentTaken = 0;
    // One splice at the end: shift() per unit is linear in the queue's length, and a burst
    // of appends can queue many thousands of units.
    while (units < this.queue.length) {
      const unit = this.queue[units]!;
      if (units > 0 && count + unit.entries.length > max) break;
      count += unit.entries.length;
      if (!unit.deferred) urgentTaken++;
      units++;
    }
    this.queuedEntries -= count;
    this.urgentQueued -= urgentTaken;
    return this.queue.splice(0, units);
  }

  /** Hands the batch to the repo, which gives it the next indexes and extends the tree. */
  private dispatch(units: PendingUnit[]): void {
    const batch: AppendBatch = { entries: [], payloads: [] };
    for (const unit of units) {
      for (const e of unit.entries) {
        if (e.payload) batch.payloads.push({ offset: batch.entries.length, salt: e.payload.salt, payload: e.payload.canonical });
        batch.entries.push(e.entry);
      }
    }
    const sentAt = performance.now();
    const counted = (outcome: Appended | Error) => {
      if (outcome instanceof Error) this.counters.commitFailed();
      else this.counters.committed(batch.entries.length, performance.now() - sentAt, outcome.storeMs);
      return outcome;
    };
    let done: Promise<Appended | Error>;
    try {
      done = this.repo.append(batch).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    } catch (e) {
      done = Promise.resolve(e instanceof Error ? e : new Error(String(e)));
    }
    this.inFlight.push({ units, done: done.then(counted) });
  }

  /** Waits for the oldest commit in flight and resolves or rejects its appends. */
  private async settleHead(): Promise<void> {
    const head = this.inFlight[0]!;
    const outcome = await head.done;
    this.inFlight.shift();
    try {
      if (outcome instanceof Error) this.commitFailed(head.units, outcome);
      else this.committed(head.units, outcome);
    } finally {
      this.notifySettled();
    }
  }

  private committed(units: PendingUnit[], outcome: Appended): void {
    // Commits answer in order, so this is the tree as of the newest commit (other writers' included).
    this.frontier = outcome.frontier;
    let next = outcome.startIndex;
    const now = performance.now();
    let kept = 0;
    for (const unit of units) {
      if (unit.queuedAt !== undefined) this.counters.waited(now - unit.queuedAt);
      if (unit.kept) kept += unit.entries.length;
      unit.resolve(next);
      next += unit.entries.length;
    }
    if (this.failure) {
      const downMs = Date.now() - this.failure.since;
      this.failure = undefined;
      this.options.onRecovered?.({ kept, downMs });
    }
  }

  /**
   * A failed commit rolled back whole (the repo's transaction), so its entries may simply go
   * again. Those someone waits on fail now: their callers act on it (a statement in strict
   * mode does not run, an admin change is not made). Deferred ones, whose callers went on
   * without waiting, are kept at the head of the queue and tried again after a delay, unless
   * the ledger is closing.
   */
  private commitFailed(units: PendingUnit[], cause: Error): void {
    const error = new LedgerError(`the ledger could not commit: ${cause.message}`, { cause });
    const first = !this.failure;
    const retry = this.options.retryMs ?? RETRY_MS;
    this.failure = { error, since: this.failure?.since ?? Date.now(), retryMs: first ? retry.first : Math.min(this.failure!.retryMs * 2, retry.max) };
    const keep: PendingUnit[] = [];
    let lost = 0;
    for (const unit of units) {
      if (unit.deferred && !this.closing) {
        unit.kept = true;
        keep.push(unit);
        continue;
      }
      if (unit.deferred) lost += unit.entries.length;
      unit.reject(error);
    }
    // Behind the entries kept before them, ahead of everything queued since: the log keeps their order.
    const at = this.queue.findIndex((u) => !u.kept);
    this.queue.splice(at === -1 ? this.queue.length : at, 0, ...keep);
    this.queuedEntries += entriesIn(keep);
    const given = this.giveUpBeyond(this.options.maxKept ?? 100_000, error);
    lost += given.lost;
    if (first) {
      const { kept } = given;
      const keptNote = kept > 0 ? `; ${kept} deferred entries kept to try again` : '';
      this.report(new LedgerError(`${error.message}${keptNote}; appends that are waited on fail until a commit succeeds`, { cause }));
    }
    if (lost > 0) this.report(new LedgerError(`${lost} deferred entries were given up after a failed commit (${cause.message})`, { cause }));
  }

  /** Rejects the oldest kept units while more than `max` entries are kept; returns how many entries went and how many stay kept. */
  private giveUpBeyond(max: number, error: Error): { lost: number; kept: number } {
    let kept = entriesIn(this.queue.filter((u) => u.kept));
    let lost = 0;
    while (kept > max) {
      const at = this.queue.findIndex((u) => u.kept);
      const [unit] = this.queue.splice(at, 1);
      kept -= unit!.entries.length;
      lost += unit!.entries.length;
      this.queuedEntries -= unit!.entries.length;
      unit!.reject(error);
    }
    return { lost, kept };
  }

  private notifySettled(): void {
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * Waits until every append issued so far is committed or failed. While commits fail it does
   * not wait for the deferred entries kept to be tried again: they go when the store writes.
   */
  async drain(): Promise<void> {
    this.draining++; // deferred appends commit now
    try {
      while (this.flushing) {
        if (this.failure && !this.closing && this.urgentQueued === 0 && this.inFlight.length === 0) return;
        if (!this.failure || this.closing) this.wake?.();
        await new Promise<void>((resolve) => this.settleWaiters.push(resolve));
      }
    } finally {
      this.draining--;
    }
  }

  /**
   * Signs a checkpoint of everything committed, stores it and gives it to the witnesses.
   * When nothing is new it returns the latest stored checkpoint (undefined for an empty log).
   */
  checkpoint(): Promise<CheckpointRow | undefined> {
    this.checkpointing = this.checkpointing.catch(() => undefined).then(() => this.signCheckpoint());
    return this.checkpointing;
  }

  private async signCheckpoint(): Promise<CheckpointRow | undefined> {
    // Commits replace the frontier rather than mutate it, so this one stays the tree of `size`.
    const frontier = this.frontier;
    const size = frontier.size;
    const latest = await this.repo.latestCheckpoint();
    if (latest && latest.size >= size) {
      this.lastCheckpointSize = latest.size;
      return latest;
    }
    if (size === 0) return undefined;
    const body = formatCheckpoint({ origin: this.origin, size, rootHash: frontier.root(), extensions: [] });
    const row = { size, note: signNote(body, [this.options.signer]), createdAt: new Date().toISOString() };
    if (!(await this.repo.addCheckpoint(row))) return this.repo.checkpointAt(size);
    this.lastCheckpointSize = size;
    for (const witness of this.options.witnesses ?? []) {
      await witness.publish(size, row.note).catch((e) => this.report(new LedgerError(`${witness.name}: ${e.message}`)));
    }
    return row;
  }

  /**
   * The process is stopping: commits start at once, and a failed commit gives up its deferred
   * entries (reported) instead of keeping them, so that nothing waits on a store that may not
   * come back. Entries kept so far get one last try now. close() begins with this; a server
   * calls it first, before its gateways wait for their last records.
   */
  beginClose(): void {
    this.closing = true;
    this.wake?.();
  }

  /** Flushes pending appends, signs a final checkpoint, stops the timer. The store stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    this.beginClose();
    await this.drain();
    this.closed = true;
    try {
      await this.checkpoint();
    } catch (error) {
      throw new LedgerError(`the final checkpoint could not be stored: ${(error as Error).message}`, { cause: error });
    }
    await this.repo.close?.();
  }

  private report(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    if (this.options.onError) this.options.onError(e);
    else process.emitWarning(e.message, 'GatehouseLedger');
  }
}
