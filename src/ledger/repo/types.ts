import type { Frontier } from '../merkle/index.js';
import type { EntryPage } from './packed.js';

/** A stored leaf: its index, SHA-256(0x00 ‖ entry) and the entry bytes (canonical JSON). */
export interface EntryRow {
  index: number;
  leafHash: Buffer;
  entry: Buffer;
}

/** The hash of the perfect subtree at `level` covering leaves [index·2^level, (index+1)·2^level). */
export interface NodeRow {
  level: number;
  index: number;
  hash: Buffer;
}

/** `count` consecutive stored hashes of one level, from `index` on. */
export interface NodeRun {
  level: number;
  index: number;
  count: number;
}

export interface PayloadRow {
  index: number;
  salt: Buffer;
  /** The RFC 8785 canonical JSON of the payload. */
  payload: string;
}

export interface CheckpointRow {
  size: number;
  note: string;
  createdAt: string;
}

export interface RedactionRow {
  index: number;
  redactionIndex: number;
  reason: string;
  redactedAt: string;
}

/**
 * An entry as handed to the store: its exact bytes, or the RFC 8785 canonical JSON text whose
 * UTF-8 encoding they are. Text goes into the batch for the SQLite writer thread as it is, with
 * no Buffer of its own made on the main thread (where each append is encoded, and which bounds
 * the append rate).
 */
export type EntryBytes = Buffer | string;

/** One group commit: entries in order, to be given the next indexes of the log. */
export interface AppendBatch {
  /** Each entry (its RFC 8785 canonical JSON). */
  entries: EntryBytes[];
  /** Payloads kept apart, each by the position of its entry in `entries`. */
  payloads: { offset: number; salt: Buffer; payload: string }[];
}

/**
 * Where a group commit went: its first index, and the tree once it is in. A repo that commits
 * several batches in one transaction (the SQLite writer thread) gives each batch the tree as of
 * that transaction, which may hold later batches' entries too.
 */
export interface Appended {
  startIndex: number;
  frontier: Frontier;
  /**
   * The store's own time on this commit, ms, where it differs from the caller's wait (the
   * SQLite writer thread: its transaction, from BEGIN to durable, without the time the batch
   * waited for the thread). A batch that shared its transaction with the one before it reports
   * 0, so that the times add up to the time the store was busy.
   */
  storeMs?: number;
}

/**
 * The ledger's storage. It only ever inserts, except the payload delete that a recorded
 * redaction allows; the database enforces the same with triggers.
 */
export interface LedgerRepo {
  /**
   * Appends the batch atomically at the end of the log, under the store's write lock: the store
   * reads the end of the tree there (cached from its last commit while no other writer has
   * appended), adds the leaf and node hashes, and inserts. So writers never race for an index.
   */
  append(batch: AppendBatch): Promise<Appended>;
  /**
   * Whether append may be called again before the previous call has answered: commits then
   * happen in call order.
   */
  readonly pipelined?: boolean;
  /** Releases what appending holds (SQLite: the writer thread); the repo still reads afterwards. */
  close?(): Promise<void>;
  size(): Promise<number>;
  /** Stored hashes, run by run: level 0 are leaf hashes, higher levels stored nodes; undefined where none is stored. */
  hashes(runs: readonly NodeRun[]): Promise<(Buffer | undefined)[][]>;
  /** Up to `limit` entries with index ≥ start, in index order (a gap shows as a jump in index). */
  entries(start: number, limit: number): Promise<EntryRow[]>;
  /** The same as one packed page (packed.ts), where the store can pack it cheaper than rows. */
  entryPage?(start: number, limit: number): Promise<EntryPage>;
  nodes(level: number, start: number, limit: number): Promise<NodeRow[]>;
  /** Up to `limit` payloads with index ≥ start, in index order. */
  payloads(start: number, limit: number): Promise<PayloadRow[]>;
  payload(index: number): Promise<PayloadRow | undefined>;
  redactions(): Promise<RedactionRow[]>;
  /** Records the redaction and deletes the payload, in one transaction. */
  redact(redaction: RedactionRow): Promise<void>;
  checkpoints(): Promise<CheckpointRow[]>;
  latestCheckpoint(): Promise<CheckpointRow | undefined>;
  checkpointAt(size: number): Promise<CheckpointRow | undefined>;
  /** False when a checkpoint of that size is stored already. */
  addCheckpoint(row: CheckpointRow): Promise<boolean>;
  verifierKeys(): Promise<string[]>;
  addVerifierKey(vkey: string, createdAt: string): Promise<void>;
  meta(key: string): Promise<string | undefined>;
  /** Stores the value unless the key is set; returns what is stored. */
  metaSetIfAbsent(key: string, value: string): Promise<string>;
}
