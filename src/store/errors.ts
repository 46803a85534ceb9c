/** The store cannot be opened or used; the message says where and why, never with a password. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** SQLite's result codes for a store that cannot write now (https://www.sqlite.org/rescode.html). */
const SQLITE_UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED)/;
/**
 * PostgreSQL's SQLSTATEs for the same (Appendix A, "PostgreSQL Error Codes"): class 53
 * insufficient resources (53100 disk_full), class 08 connection exception, 57P01–57P03
 * (shutting down, cannot connect now), 25006 read_only_sql_transaction.
 */
const POSTGRES_UNAVAILABLE = /^(53|08|57P0[1-3]|25006)/;
/** Node's socket errors when a PostgreSQL store is out of reach. */
const NETWORK_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * Whether an error from a store means that it cannot take writes now (a full disk, a failing
 * or read-only device, a database that is down or unreachable), as against a fault of the
 * request or a bug. Callers answer the first with "unavailable, try later" and log the cause.
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (e.name === 'SqliteError') {
      if (SQLITE_UNAVAILABLE.test(code)) return true;
    } else if (POSTGRES_UNAVAILABLE.test(code) || NETWORK_UNAVAILABLE.has(code)) return true;
  }
  return false;
}
