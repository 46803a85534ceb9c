// What the gateways and the policy engine learn about a SQL string: one record per
// statement, produced by the engine's real parser. Shared contract of sql/ and policy/.

export type Engine = 'postgres' | 'mysql';

/** The privileges a grant can hold (see docs/policy.md). */
export type Privilege = 'read' | 'write' | 'ddl' | 'admin';
export const PRIVILEGES: readonly Privilege[] = ['read', 'write', 'ddl', 'admin'];

/** The broad kind of a statement, for deny rules, reports and the ledger. */
export type StatementClass =
  | 'read' // SELECT, SHOW-like reads of data, EXPLAIN without ANALYZE, COPY … TO STDOUT
  | 'write' // INSERT, UPDATE, DELETE, MERGE, COPY … FROM STDIN, SELECT … INTO, writing CTEs
  | 'ddl' // CREATE/ALTER/DROP/TRUNCATE/COMMENT ON of schema objects
  | 'admin' // roles, GRANT, ALTER SYSTEM, extensions, DO, server files/programs, side-effect functions
  | 'transaction' // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION…
  | 'session' // SET/RESET/SHOW of settings, DISCARD, PREPARE/DEALLOCATE
  | 'utility'; // VACUUM, ANALYZE, LISTEN/NOTIFY, LOCK, CHECKPOINT, …

/** A relation (table, view, sequence…) a statement touches, and what it does to it. */
export interface ObjectAccess {
  /**
   * PostgreSQL: case-folded unless it was quoted; unqualified names get the default schema
   * (public). MySQL: as written (names are case-sensitive); unqualified names get the
   * session's current database.
   */
  schema: string;
  name: string;
  privilege: Privilege;
}

/**
 * Facts that deny rules and reviewers care about. Open-ended on purpose: a new flag
 * never changes a class. The names are stable; docs/policy.md lists them.
 */
export type StatementFlag =
  | 'no_where' // UPDATE or DELETE without a WHERE clause
  | 'drop' // DROP of any object
  | 'truncate'
  | 'writing_cte' // WITH x AS (INSERT/UPDATE/DELETE …)
  | 'select_into' // SELECT … INTO creates a table
  | 'copy_program' // COPY … TO/FROM PROGRAM (runs a shell command on the server)
  | 'copy_file' // COPY … TO/FROM a server file
  | 'server_file' // MySQL: SELECT … INTO OUTFILE/DUMPFILE, LOAD DATA INFILE (not LOCAL), load_file()
  | 'dynamic_code' // DO blocks, EXECUTE of a prepared statement, CALL: code we cannot see into
  | 'role_change' // SET ROLE, SET SESSION AUTHORIZATION, RESET ROLE
  | 'side_effect_function' // a function on the side-effect list (pg_terminate_backend, set_config…)
  | 'explain_analyze' // EXPLAIN ANALYZE runs the statement
  | 'system_catalog'; // reads the system catalogs only (pg_catalog / information_schema; MySQL: docs/sql.md)

export interface ClassifiedStatement {
  /** The statement's own text, sliced from the input. */
  text: string;
  /** The parser's node type, e.g. "SelectStmt", "DeleteStmt", "VariableSetStmt" (MySQL: see docs/sql.md). */
  kind: string;
  class: StatementClass;
  /** Every relation referenced, with the privilege that reference needs. */
  objects: ObjectAccess[];
  /** Functions called, lower-cased, schema-qualified only when the text qualified them. */
  functions: string[];
  flags: StatementFlag[];
  /**
   * A privilege the statement needs on the connection as a whole, beyond its objects
   * (e.g. admin for DO, SET ROLE, COPY … PROGRAM, side-effect functions); null when the
   * objects say it all (or when nothing is needed, as for BEGIN or SET search_path).
   */
  requires: Privilege | null;
  /**
   * MySQL `USE db` (kind UseStmt): the database the session switches to. Later statements of
   * the same text are classified with it; the gateway passes it as `defaultSchema` for the
   * session's next texts once the server has accepted it.
   */
  database?: string;
}

export type Classification =
  | { ok: true; statements: ClassifiedStatement[] }
  /** Fail closed: the gateway denies what could not be parsed. */
  | { ok: false; error: string; position?: number };
