import type { NodeRow } from '../repo/index.js';
import type { EntryPage } from '../repo/packed.js';

export interface SourcePayload {
  index: number;
  salt: Buffer;
  /** The RFC 8785 canonical JSON of the payload. */
  canonical: string;
}

export interface SourceCheckpoint {
  /** Where it came from, for messages: "stored checkpoint 120", "bundle checkpoints/120". */
  where: string;
  note: string;
  /** The size the source filed it under (a column or file name), checked against the note. */
  filedSize?: number;
}

/** A log to verify: the store, or a bundle exported from it. */
export interface LogSource {
  readonly description: string;
  /** The log's origin if the source records it apart from the checkpoints. */
  origin(): Promise<string | undefined>;
  /** How many entries the source claims to hold (for progress). */
  size(): Promise<number>;
  /**
   * Entries in index order, page by page, packed (repo/packed.ts) with each row's index and the
   * leaf hash the source keeps beside it, if any; a gap shows as a jump in index.
   */
  entryPages(): AsyncIterable<EntryPage>;
  /** Stored node hashes of one level, in index order, when the source keeps them. */
  storedNodes?(level: number): AsyncIterable<NodeRow[]>;
  checkpoints(): Promise<SourceCheckpoint[]>;
  verifierKeys(): Promise<string[]>;
  payloads(): AsyncIterable<SourcePayload[]>;
}
