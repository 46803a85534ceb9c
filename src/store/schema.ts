import type { ColumnType } from 'kysely';

/** Integers that PostgreSQL returns as strings (bigint) and SQLite as numbers. */
type BigIntColumn = ColumnType<number | string, number, never>;

/** One leaf of the Merkle tree: the exact bytes of the RFC 8785 canonical JSON of an event. */
export interface LedgerEntriesTable {
  idx: BigIntColumn;
  leaf_hash: Buffer;
  entry: Buffer;
}

/** Hashes of perfect aligned subtrees at stored levels (see ledger/tree-store.ts). */
export interface LedgerNodesTable {
  level: number;
  idx: BigIntColumn;
  hash: Buffer;
}

export interface LedgerCheckpointsTable {
  size: BigIntColumn;
  note: string;
  created_at: string;
}

/** Payloads kept apart from their leaf behind a salted commitment; the only ledger rows that may be deleted. */
export interface LedgerPayloadsTable {
  idx: BigIntColumn;
  salt: Buffer;
  payload: string;
}

export interface LedgerRedactionsTable {
  idx: BigIntColumn;
  redaction_idx: BigIntColumn;
  reason: string;
  redacted_at: string;
}

/** Verifier keys (C2SP note format) of every key that has signed checkpoints of this ledger. */
export interface LedgerKeysTable {
  vkey: string;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_payloads: LedgerPayloadsTable;
  ledger_redactions: LedgerRedactionsTable;
  ledger_keys: LedgerKeysTable;
  meta: MetaTable;
}
