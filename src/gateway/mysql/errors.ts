import { encodeErr, type ErrPacket } from './codec/index.js';

/**
 * MySQL error codes the gateway answers with itself ("Server Error Message Reference").
 * Each keeps the SQLSTATE the server uses for it, so clients and ORMs map it as they would
 * the server's own.
 */
export const MYSQL_ERRORS = {
  /** ER_ACCESS_DENIED_ERROR: every failed login, whatever the cause. */
  accessDenied: { code: 1045, sqlstate: '28000' },
  /** ER_DBACCESS_DENIED_ERROR: a connection (database) the client may not or cannot use. */
  dbAccessDenied: { code: 1044, sqlstate: '42000' },
  /** ER_BAD_DB_ERROR: no such connection. */
  badDb: { code: 1049, sqlstate: '42000' },
  /** ER_TABLEACCESS_DENIED_ERROR: a statement the policy denies. */
  tableAccessDenied: { code: 1142, sqlstate: '42000' },
  /** ER_SPECIFIC_ACCESS_DENIED_ERROR: a command (not a statement) the gateway refuses. */
  specificAccessDenied: { code: 1227, sqlstate: '42000' },
  /** ER_UNKNOWN_STMT_HANDLER: a prepared statement id the gateway did not see prepared. */
  unknownStatement: { code: 1243, sqlstate: 'HY000' },
  /** ER_UNKNOWN_COM_ERROR. */
  unknownCommand: { code: 1047, sqlstate: '08S01' },
  /** ER_UNKNOWN_ERROR, for the ledger being down (the statement did not run). */
  unknown: { code: 1105, sqlstate: 'HY000' },
  /** ER_CONNECTION_KILLED (MariaDB): a session an administrator (or a change to its account) ended. */
  connectionKilled: { code: 1927, sqlstate: '70100' },
  /** ER_CON_COUNT_ERROR-like refusal while shutting down: ER_SERVER_SHUTDOWN. */
  shutdown: { code: 1053, sqlstate: '08S01' },
  /** ER_SECURE_TRANSPORT_REQUIRED. */
  secureTransportRequired: { code: 3159, sqlstate: 'HY000' },
  /** ER_HANDSHAKE_ERROR. */
  handshake: { code: 1043, sqlstate: '08S01' },
  /** ER_NO_SUCH_THREAD: KILL QUERY of a connection id the gateway does not know. */
  noSuchThread: { code: 1094, sqlstate: 'HY000' },
  /** ER_KILL_DENIED_ERROR: KILL QUERY of another user's session. */
  killDenied: { code: 1095, sqlstate: 'HY000' },
  /** ER_NO_DB_ERROR: the client named no connection. */
  noDb: { code: 1046, sqlstate: '3D000' },
} as const;

export type MysqlErrorName = keyof typeof MYSQL_ERRORS;

/** An error that ends the connection phase: it renders itself as the ERR packet the client sees. */
export class MysqlRefusal extends Error {
  constructor(
    readonly error: MysqlErrorName,
    message: string,
  ) {
    super(message);
  }

  get packet(): ErrPacket {
    return { ...MYSQL_ERRORS[this.error], message: this.message };
  }
}

export function errPacket(name: MysqlErrorName, message: string, caps?: number): Buffer {
  return encodeErr({ ...MYSQL_ERRORS[name], message }, caps);
}

/** MySQL's own wording for a failed login; the same for every cause (no account enumeration). */
export const accessDenied = (user: string, host: string) =>
  new MysqlRefusal('accessDenied', `Access denied for user '${user}'@'${host}' (using password: YES)`);
