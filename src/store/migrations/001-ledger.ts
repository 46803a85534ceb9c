import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The ledger tables. Every one of them is append-only, enforced by the database itself
 * (triggers), so that no code path — ours or an operator's ad-hoc SQL — can change history.
 * The single exception is the payload table: a payload may be deleted, but only after its
 * redaction has been recorded (DESIGN.md, "Payloads that may hold personal data").
 */
const APPEND_ONLY_TABLES = [
  'ledger_entries',
  'ledger_nodes',
  'ledger_checkpoints',
  'ledger_redactions',
  'ledger_keys',
  'meta',
] as const;

const SQLITE_TABLES = `
CREATE TABLE ledger_entries (
  idx INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL,
  entry BLOB NOT NULL
);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE ledger_checkpoints (
  size INTEGER PRIMARY KEY,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE ledger_payloads (
  idx INTEGER PRIMARY KEY,
  salt BLOB NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE ledger_redactions (
  idx INTEGER PRIMARY KEY,
  redaction_idx INTEGER NOT NULL,
  reason TEXT NOT NULL,
  redacted_at TEXT NOT NULL
);
CREATE TABLE ledger_keys (
  vkey TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

const POSTGRES_TABLES = `
CREATE TABLE ledger_entries (
  idx BIGINT PRIMARY KEY,
  leaf_hash BYTEA NOT NULL,
  entry BYTEA NOT NULL
);
CREATE TABLE ledger_nodes (
  level INTEGER NOT NULL,
  idx BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE ledger_checkpoints (
  size BIGINT PRIMARY KEY,
  note TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE ledger_payloads (
  idx BIGINT PRIMARY KEY,
  salt BYTEA NOT NULL,
  payload TEXT NOT NULL
);
CREATE TABLE ledger_redactions (
  idx BIGINT PRIMARY KEY,
  redaction_idx BIGINT NOT NULL,
  reason TEXT NOT NULL,
  redacted_at TEXT NOT NULL
);
CREATE TABLE ledger_keys (
  vkey TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE FUNCTION gatehouse_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION gatehouse_payload_delete_needs_redaction() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_redactions WHERE idx = OLD.idx) THEN
    RAISE EXCEPTION 'ledger_payloads: payload % may only be deleted after its redaction is recorded', OLD.idx
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN OLD;
END $$;
`;

function sqliteTriggers(): string[] {
  const statements = APPEND_ONLY_TABLES.flatMap((table) =>
    ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER ${table}_refuse_${op.toLowerCase()} BEFORE ${op} ON ${table}
        BEGIN SELECT RAISE(ABORT, '${table} is append-only: ${op} refused'); END`,
    ),
  );
  statements.push(
    `CREATE TRIGGER ledger_payloads_refuse_update BEFORE UPDATE ON ledger_payloads
      BEGIN SELECT RAISE(ABORT, 'ledger_payloads is append-only: UPDATE refused'); END`,
    `CREATE TRIGGER ledger_payloads_delete_needs_redaction BEFORE DELETE ON ledger_payloads
      WHEN NOT EXISTS (SELECT 1 FROM ledger_redactions WHERE idx = OLD.idx)
      BEGIN SELECT RAISE(ABORT, 'ledger_payloads: a payload may only be deleted after its redaction is recorded'); END`,
  );
  return statements;
}

function postgresTriggers(): string[] {
  const statements = APPEND_ONLY_TABLES.flatMap((table) => [
    `CREATE TRIGGER ${table}_refuse_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION gatehouse_refuse_change()`,
    `CREATE TRIGGER ${table}_refuse_truncate BEFORE TRUNCATE ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_refuse_change()`,
  ]);
  statements.push(
    `CREATE TRIGGER ledger_payloads_refuse_update BEFORE UPDATE ON ledger_payloads
      FOR EACH ROW EXECUTE FUNCTION gatehouse_refuse_change()`,
    `CREATE TRIGGER ledger_payloads_refuse_truncate BEFORE TRUNCATE ON ledger_payloads
      FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_refuse_change()`,
    `CREATE TRIGGER ledger_payloads_delete_needs_redaction BEFORE DELETE ON ledger_payloads
      FOR EACH ROW EXECUTE FUNCTION gatehouse_payload_delete_needs_redaction()`,
  );
  return statements;
}

export function ledgerMigration(dialect: Dialect) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'sqlite') {
        for (const statement of splitStatements(SQLITE_TABLES)) await sql.raw(statement).execute(db);
        for (const statement of sqliteTriggers()) await sql.raw(statement).execute(db);
      } else {
        // PostgreSQL runs a multi-statement string in one simple query (dollar quotes intact).
        await sql.raw(POSTGRES_TABLES).execute(db);
        for (const statement of postgresTriggers()) await sql.raw(statement).execute(db);
      }
    },
  };
}

/** The SQLite table DDL above holds no semicolons inside statements, so a plain split is exact. */
function splitStatements(script: string): string[] {
  return script
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
