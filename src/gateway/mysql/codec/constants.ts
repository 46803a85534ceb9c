/**
 * Command bytes ("Text Protocol", "Prepared Statements", "Utility Commands"; enum_server_command)
 * and the column types of the binary protocol (enum_field_types, "Binary Protocol Value").
 */
export const COM = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
  /** MariaDB: COM_STMT_BULK_EXECUTE. */
  STMT_BULK_EXECUTE: 0xfa,
} as const;

/** enum_field_types. */
export const TYPE = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  TYPED_ARRAY: 20,
  VECTOR: 242,
  INVALID: 243,
  BOOL: 244,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** Column definition flags (Column Definition Flags) used here. */
export const COLUMN_FLAG = {
  NOT_NULL: 0x1,
  PRI_KEY: 0x2,
  BINARY: 0x80,
  UNSIGNED: 0x20,
} as const;

/** COM_STMT_EXECUTE flags (enum_cursor_type). */
export const CURSOR_TYPE = {
  NO_CURSOR: 0x0,
  READ_ONLY: 0x1,
  FOR_UPDATE: 0x2,
  SCROLLABLE: 0x4,
  /** With CLIENT_QUERY_ATTRIBUTES: the parameter count is sent (a lenenc int). */
  PARAMETER_COUNT_AVAILABLE: 0x8,
} as const;

/** COM_SET_OPTION values (enum_mysql_set_option). */
export const SET_OPTION = {
  MULTI_STATEMENTS_ON: 0,
  MULTI_STATEMENTS_OFF: 1,
} as const;

/** Character sets ("Character Set") the gateway names itself. */
export const CHARSET = {
  UTF8MB4_GENERAL_CI: 45,
  BINARY: 63,
  UTF8MB4_0900_AI_CI: 255,
} as const;

/** The largest payload of one physical packet; a payload this long continues in the next packet. */
export const MAX_PACKET_PAYLOAD = 0xffffff;
