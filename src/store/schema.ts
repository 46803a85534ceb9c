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

/** Control plane (migration 002). Times are RFC 3339 UTC text; JSON columns are text. */
export interface PrincipalsTable {
  id: string;
  kind: string;
  name: string;
  display_name: string | null;
  email: string | null;
  role: string;
  status: string;
  expires_at: string | null;
  source: string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  last_activity_at: string | null;
}

export interface PrincipalSecretsTable {
  principal_id: string;
  scram_salt: Buffer;
  scram_iterations: number;
  password_hash: string | null;
  scram_stored_key: Buffer | null;
  scram_server_key: Buffer | null;
  /** SHA1(SHA1(password)) and SHA256(SHA256(password)): identity/mysql-verifiers.ts. */
  mysql_native_hash: Buffer | null;
  mysql_sha2_hash: Buffer | null;
  updated_at: string;
}

export interface TokensTable {
  id: string;
  principal_id: string;
  name: string;
  token_hash: Buffer;
  prefix: string;
  scram_stored_key: Buffer;
  scram_server_key: Buffer;
  /** SHA1(SHA1(token)) for mysql_native_password (identity/mysql-verifiers.ts); null for older tokens. */
  mysql_native_hash: Buffer | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface GroupsTable {
  id: string;
  name: string;
  description: string;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  group_id: string;
  principal_id: string;
  expires_at: string | null;
  created_at: string;
}

export interface ConnectionsTable {
  id: string;
  name: string;
  engine: string;
  host: string;
  port: number;
  database: string;
  username: string;
  secret: string | null;
  tls_mode: string;
  tags: string;
  created_at: string;
  updated_at: string;
}

export interface GrantsTable {
  id: string;
  group_id: string;
  on_selector: string;
  privileges: string;
  objects: string;
  expires_at: string | null;
  reason: string | null;
  created_by: string | null;
  created_at: string;
}

export interface DenyRulesTable {
  id: string;
  name: string;
  on_selector: string;
  match: string;
  reason: string | null;
  created_by: string | null;
  created_at: string;
}

export interface Database {
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  ledger_payloads: LedgerPayloadsTable;
  ledger_redactions: LedgerRedactionsTable;
  ledger_keys: LedgerKeysTable;
  meta: MetaTable;
  principals: PrincipalsTable;
  principal_secrets: PrincipalSecretsTable;
  tokens: TokensTable;
  groups: GroupsTable;
  memberships: MembershipsTable;
  connections: ConnectionsTable;
  grants: GrantsTable;
  deny_rules: DenyRulesTable;
}
