/**
 * Capability flags ("Capabilities Flags", CLIENT_* in include/mysql_com.h) and MariaDB's
 * extended capabilities (MariaDB docs, "Connection" → "Capabilities"; mariadb_com.h).
 *
 * MySQL defines 32 bits. MariaDB adds 32 more, sent in bytes of the handshake the MySQL
 * layout reserves (the greeting's filler, the last 4 bytes of HandshakeResponse41's filler),
 * and only when the server clears CLIENT_MYSQL (bit 0). A capability set is therefore one
 * number of up to 64 bits here, MariaDB's in the upper 32 (exact: Number holds 2^53, and no
 * MariaDB bit reaches bit 53). JavaScript's bitwise operators work on 32 bits, so sets are
 * combined with the helpers below, never with & and |.
 */

export const CLIENT_LONG_PASSWORD = 0x1;
/** MariaDB's name for bit 0: a server without it is MariaDB and reads the extended capabilities. */
export const CLIENT_MYSQL = 0x1;
export const CLIENT_FOUND_ROWS = 0x2;
export const CLIENT_LONG_FLAG = 0x4;
export const CLIENT_CONNECT_WITH_DB = 0x8;
export const CLIENT_NO_SCHEMA = 0x10;
export const CLIENT_COMPRESS = 0x20;
export const CLIENT_ODBC = 0x40;
export const CLIENT_LOCAL_FILES = 0x80;
export const CLIENT_IGNORE_SPACE = 0x100;
export const CLIENT_PROTOCOL_41 = 0x200;
export const CLIENT_INTERACTIVE = 0x400;
export const CLIENT_SSL = 0x800;
export const CLIENT_IGNORE_SIGPIPE = 0x1000;
export const CLIENT_TRANSACTIONS = 0x2000;
export const CLIENT_RESERVED = 0x4000;
/** Also called CLIENT_RESERVED2: 4.1 authentication (a length-prefixed 20-byte auth response). */
export const CLIENT_SECURE_CONNECTION = 0x8000;
export const CLIENT_MULTI_STATEMENTS = 0x10000;
export const CLIENT_MULTI_RESULTS = 0x20000;
export const CLIENT_PS_MULTI_RESULTS = 0x40000;
export const CLIENT_PLUGIN_AUTH = 0x80000;
export const CLIENT_CONNECT_ATTRS = 0x100000;
export const CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 0x200000;
export const CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS = 0x400000;
export const CLIENT_SESSION_TRACK = 0x800000;
export const CLIENT_DEPRECATE_EOF = 0x1000000;
export const CLIENT_OPTIONAL_RESULTSET_METADATA = 0x2000000;
export const CLIENT_ZSTD_COMPRESSION_ALGORITHM = 0x4000000;
export const CLIENT_QUERY_ATTRIBUTES = 0x8000000;
export const MULTI_FACTOR_AUTHENTICATION = 0x10000000;
export const CLIENT_CAPABILITY_EXTENSION = 0x20000000;
export const CLIENT_SSL_VERIFY_SERVER_CERT = 0x40000000;
export const CLIENT_REMEMBER_OPTIONS = 0x80000000;

const HIGH = 2 ** 32;
/** MariaDB: progress reports (ERR packets with code 0xFFFF) during long commands. */
export const MARIADB_CLIENT_PROGRESS = 2 ** 32;
export const MARIADB_CLIENT_COM_MULTI = 2 ** 33;
/** MariaDB: COM_STMT_BULK_EXECUTE. */
export const MARIADB_CLIENT_STMT_BULK_OPERATIONS = 2 ** 34;
/** MariaDB: column definitions carry extended type information (data type name, format). */
export const MARIADB_CLIENT_EXTENDED_METADATA = 2 ** 35;
/** MariaDB: a result set's column count is followed by a "metadata follows" byte. */
export const MARIADB_CLIENT_CACHE_METADATA = 2 ** 36;
export const MARIADB_CLIENT_BULK_UNIT_RESULTS = 2 ** 37;

/** The lower 32 bits (MySQL's capabilities), unsigned. */
export function lowCaps(caps: number): number {
  return caps % HIGH >>> 0;
}

/** The upper 32 bits (MariaDB's extended capabilities), as a 32-bit unsigned number. */
export function highCaps(caps: number): number {
  return Math.floor(caps / HIGH) >>> 0;
}

export function joinCaps(low: number, high: number): number {
  return (high >>> 0) * HIGH + (low >>> 0);
}

/** Whether every bit of `flags` is set in `caps`. */
export function hasCaps(caps: number, flags: number): boolean {
  return ((lowCaps(caps) & lowCaps(flags)) >>> 0) === lowCaps(flags) && ((highCaps(caps) & highCaps(flags)) >>> 0) === highCaps(flags);
}

export function intersectCaps(a: number, b: number): number {
  return joinCaps(lowCaps(a) & lowCaps(b), highCaps(a) & highCaps(b));
}

export function unionCaps(...sets: number[]): number {
  let low = 0;
  let high = 0;
  for (const s of sets) {
    low |= lowCaps(s);
    high |= highCaps(s);
  }
  return joinCaps(low, high);
}

export function withoutCaps(caps: number, remove: number): number {
  return joinCaps(lowCaps(caps) & ~lowCaps(remove), highCaps(caps) & ~highCaps(remove));
}

/**
 * Server status flags (SERVER_STATUS_flags_enum), carried by OK and EOF packets.
 */
export const SERVER_STATUS_IN_TRANS = 0x1;
export const SERVER_STATUS_AUTOCOMMIT = 0x2;
export const SERVER_MORE_RESULTS_EXISTS = 0x8;
export const SERVER_QUERY_NO_GOOD_INDEX_USED = 0x10;
export const SERVER_QUERY_NO_INDEX_USED = 0x20;
/** COM_STMT_EXECUTE opened a read-only cursor: no rows follow, the client fetches them (COM_STMT_FETCH). */
export const SERVER_STATUS_CURSOR_EXISTS = 0x40;
export const SERVER_STATUS_LAST_ROW_SENT = 0x80;
export const SERVER_STATUS_DB_DROPPED = 0x100;
export const SERVER_STATUS_NO_BACKSLASH_ESCAPES = 0x200;
export const SERVER_STATUS_METADATA_CHANGED = 0x400;
export const SERVER_QUERY_WAS_SLOW = 0x800;
export const SERVER_PS_OUT_PARAMS = 0x1000;
export const SERVER_STATUS_IN_TRANS_READONLY = 0x2000;
export const SERVER_SESSION_STATE_CHANGED = 0x4000;
