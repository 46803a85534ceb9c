import { PayloadReader, PayloadWriter } from './bytes.js';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_OPTIONAL_RESULTSET_METADATA,
  CLIENT_PROTOCOL_41,
  CLIENT_SESSION_TRACK,
  CLIENT_TRANSACTIONS,
  hasCaps,
  MARIADB_CLIENT_CACHE_METADATA,
  SERVER_SESSION_STATE_CHANGED,
} from './capabilities.js';
import { ProtocolError } from './errors.js';

/**
 * The generic response packets ("Generic Response Packets"): OK_Packet, ERR_Packet and
 * EOF_Packet, plus the two other first packets of a command's response: a LOCAL INFILE
 * request ("LOCAL INFILE Request") and a result set's column count ("Text Resultset").
 * Their layout depends on the capabilities in force, so every decoder takes them.
 */

export const OK_HEADER = 0x00;
export const EOF_HEADER = 0xfe;
export const ERR_HEADER = 0xff;
export const LOCAL_INFILE_HEADER = 0xfb;

/** MariaDB sends progress reports as ERR packets with this code ("Progress Reporting"). */
export const PROGRESS_REPORT_CODE = 0xffff;

/** The most columns a result set (or prepared statement parameters) may have here. */
export const MAX_COLUMNS = 0xffff;

export interface OkPacket {
  /** 0x00, or 0xFE when the OK stands in for an EOF (CLIENT_DEPRECATE_EOF). */
  header: number;
  affectedRows: number;
  lastInsertId: bigint;
  status: number;
  warnings: number;
  info: string;
  /** Session state information (CLIENT_SESSION_TRACK with SERVER_SESSION_STATE_CHANGED), undecoded. */
  sessionState?: Buffer;
}

export interface ErrPacket {
  code: number;
  /** Five characters; 'HY000' when the server sent none (an ERR before the handshake, or pre-4.1). */
  sqlstate: string;
  message: string;
}

export interface EofPacket {
  warnings: number;
  status: number;
}

export function decodeOk(payload: Buffer, caps: number): OkPacket {
  const r = new PayloadReader(payload, 'OK_Packet');
  const header = r.u8();
  if (header !== OK_HEADER && header !== EOF_HEADER) r.fail(`header 0x${header.toString(16)} is neither 0x00 nor 0xfe`);
  const affected = r.lenencBig();
  const lastInsertId = r.lenencBig();
  let status = 0;
  let warnings = 0;
  if (hasCaps(caps, CLIENT_PROTOCOL_41)) {
    status = r.u16();
    warnings = r.u16();
  } else if (hasCaps(caps, CLIENT_TRANSACTIONS)) {
    status = r.u16();
  }
  const ok: OkPacket = { header, affectedRows: Number(affected), lastInsertId, status, warnings, info: '' };
  if (hasCaps(caps, CLIENT_SESSION_TRACK)) {
    // The info is left out when it is empty and no state changed (MySQL's net_send_ok).
    if (r.remaining > 0) ok.info = r.lenencString();
    if ((status & SERVER_SESSION_STATE_CHANGED) !== 0 && r.remaining > 0) ok.sessionState = Buffer.from(r.lenencBytes());
  } else {
    ok.info = r.rest().toString('utf8');
  }
  return ok;
}

export function encodeOk(ok: Partial<OkPacket>, caps: number): Buffer {
  const w = new PayloadWriter(16 + (ok.info?.length ?? 0));
  const status = ok.status ?? 0;
  w.u8(ok.header ?? OK_HEADER).lenenc(ok.affectedRows ?? 0).lenenc(ok.lastInsertId ?? 0n);
  if (hasCaps(caps, CLIENT_PROTOCOL_41)) w.u16(status).u16(ok.warnings ?? 0);
  else if (hasCaps(caps, CLIENT_TRANSACTIONS)) w.u16(status);
  const info = ok.info ?? '';
  if (hasCaps(caps, CLIENT_SESSION_TRACK)) {
    const changed = (status & SERVER_SESSION_STATE_CHANGED) !== 0 && ok.sessionState !== undefined;
    if (info.length > 0 || changed) w.lenencBytes(info);
    if (changed) w.lenencBytes(ok.sessionState!);
  } else {
    w.string(info);
  }
  return w.finish();
}

export function decodeErr(payload: Buffer): ErrPacket {
  const r = new PayloadReader(payload, 'ERR_Packet');
  if (r.u8() !== ERR_HEADER) r.fail('header is not 0xff');
  const code = r.u16();
  let sqlstate = 'HY000';
  // '#' + SQLSTATE with CLIENT_PROTOCOL_41; an ERR sent in place of the greeting has none.
  if (r.peek() === 0x23) {
    r.u8();
    sqlstate = r.bytes(5).toString('latin1');
  }
  return { code, sqlstate, message: r.rest().toString('utf8') };
}

export function encodeErr(err: ErrPacket, caps: number = CLIENT_PROTOCOL_41): Buffer {
  const w = new PayloadWriter(16 + err.message.length).u8(ERR_HEADER).u16(err.code);
  if (hasCaps(caps, CLIENT_PROTOCOL_41)) {
    if (!/^[0-9A-Z]{5}$/.test(err.sqlstate)) throw new RangeError(`"${err.sqlstate}" is not a SQLSTATE`);
    w.u8(0x23).string(err.sqlstate);
  }
  return w.string(err.message).finish();
}

/** Whether an ERR packet is a MariaDB progress report rather than an error. */
export function isProgressReport(payload: Buffer): boolean {
  return payload.length >= 3 && payload[0] === ERR_HEADER && payload.readUInt16LE(1) === PROGRESS_REPORT_CODE;
}

/** "EOF_Packet": 0xFE and, with CLIENT_PROTOCOL_41, warnings and status; at most 5 bytes. */
export function isEofPacket(payload: Buffer): boolean {
  return payload.length > 0 && payload.length < 9 && payload[0] === EOF_HEADER;
}

/**
 * The end of a result set's rows (or of column definitions under COM_FIELD_LIST): an EOF, or
 * under CLIENT_DEPRECATE_EOF an OK with header 0xFE. A text row can also start with 0xFE (a
 * lenenc length of 2^24 or more), but then its packet is a full 0xFFFFFF one; MySQL's client
 * tells them apart the same way (sql-common/client.cc, read_one_row).
 */
export function isResultSetEnd(payload: Buffer, caps: number): boolean {
  if (payload.length === 0 || payload[0] !== EOF_HEADER) return false;
  return hasCaps(caps, CLIENT_DEPRECATE_EOF) ? payload.length < 0xffffff : payload.length < 9;
}

export function decodeEof(payload: Buffer, caps: number): EofPacket {
  const r = new PayloadReader(payload, 'EOF_Packet');
  if (r.u8() !== EOF_HEADER) r.fail('header is not 0xfe');
  if (!hasCaps(caps, CLIENT_PROTOCOL_41)) return { warnings: 0, status: 0 };
  const eof = { warnings: r.u16(), status: r.u16() };
  r.end();
  return eof;
}

export function encodeEof(eof: EofPacket, caps: number = CLIENT_PROTOCOL_41): Buffer {
  const w = new PayloadWriter(5).u8(EOF_HEADER);
  if (hasCaps(caps, CLIENT_PROTOCOL_41)) w.u16(eof.warnings).u16(eof.status);
  return w.finish();
}

/** A result set's end as the client expects it: EOF, or the 0xFE OK under CLIENT_DEPRECATE_EOF. */
export function encodeResultSetEnd(end: { warnings?: number; status?: number }, caps: number): Buffer {
  if (hasCaps(caps, CLIENT_DEPRECATE_EOF)) return encodeOk({ header: EOF_HEADER, warnings: end.warnings ?? 0, status: end.status ?? 0 }, caps);
  return encodeEof({ warnings: end.warnings ?? 0, status: end.status ?? 0 }, caps);
}

/** The end of a result set (EOF or 0xFE OK) reduced to what the relay needs. */
export function decodeResultSetEnd(payload: Buffer, caps: number): OkPacket {
  // A 0xFE OK is at least 7 bytes; a shorter 0xFE packet is a classic EOF even under
  // CLIENT_DEPRECATE_EOF (an older server's answer to COM_SET_OPTION or COM_DEBUG).
  if (hasCaps(caps, CLIENT_DEPRECATE_EOF) && payload.length >= 7) return decodeOk(payload, caps);
  const eof = decodeEof(payload, caps);
  return { header: EOF_HEADER, affectedRows: 0, lastInsertId: 0n, status: eof.status, warnings: eof.warnings, info: '' };
}

export function encodeLocalInfileRequest(filename: string): Buffer {
  return new PayloadWriter(1 + filename.length).u8(LOCAL_INFILE_HEADER).string(filename).finish();
}

/** The first packet of a text or binary result set: the column count ("Text Resultset"). */
export interface ResultSetHeader {
  columnCount: number;
  /**
   * False when the client asked to skip metadata it has cached: MariaDB's
   * MARIADB_CLIENT_CACHE_METADATA, MySQL's CLIENT_OPTIONAL_RESULTSET_METADATA (then
   * RESULTSET_METADATA_NONE). The column definitions are then not sent.
   */
  metadataFollows: boolean;
}

export function decodeResultSetHeader(payload: Buffer, caps: number): ResultSetHeader {
  const r = new PayloadReader(payload, 'column count');
  const columnCount = r.lenenc();
  if (columnCount === 0) r.fail('a result set has no columns');
  // MySQL and MariaDB allow 4096 columns; far more means the packet is not a column count.
  if (columnCount > MAX_COLUMNS) r.fail(`${columnCount} columns`);
  let metadataFollows = true;
  if (hasCaps(caps, CLIENT_OPTIONAL_RESULTSET_METADATA) || hasCaps(caps, MARIADB_CLIENT_CACHE_METADATA)) {
    metadataFollows = r.u8() !== 0;
  }
  r.end();
  return { columnCount, metadataFollows };
}

export function encodeResultSetHeader(columnCount: number, caps: number, metadataFollows = true): Buffer {
  const w = new PayloadWriter(10).lenenc(columnCount);
  if (hasCaps(caps, CLIENT_OPTIONAL_RESULTSET_METADATA) || hasCaps(caps, MARIADB_CLIENT_CACHE_METADATA)) w.u8(metadataFollows ? 1 : 0);
  return w.finish();
}

/** What the first packet of a command's response is ("COM_QUERY Response" and the generic packets). */
export type ServerPacket =
  | ({ kind: 'ok' } & OkPacket)
  | ({ kind: 'error' } & ErrPacket)
  | ({ kind: 'eof' } & EofPacket)
  | { kind: 'local-infile'; filename: string }
  | ({ kind: 'result-set' } & ResultSetHeader);

/**
 * Decodes the first packet of a response: 0x00 OK, 0xFF ERR, 0xFE EOF (or a 0xFE OK under
 * CLIENT_DEPRECATE_EOF), 0xFB LOCAL INFILE request, anything else a column count.
 */
export function decodeServerPacket(payload: Buffer, caps: number): ServerPacket {
  if (payload.length === 0) throw new ProtocolError('malformed response: an empty packet');
  switch (payload[0]) {
    case OK_HEADER:
      return { kind: 'ok', ...decodeOk(payload, caps) };
    case ERR_HEADER:
      return { kind: 'error', ...decodeErr(payload) };
    case EOF_HEADER:
      if (isResultSetEnd(payload, caps)) {
        return hasCaps(caps, CLIENT_DEPRECATE_EOF) ? { kind: 'ok', ...decodeOk(payload, caps) } : { kind: 'eof', ...decodeEof(payload, caps) };
      }
      break;
    case LOCAL_INFILE_HEADER:
      return { kind: 'local-infile', filename: payload.toString('utf8', 1) };
  }
  return { kind: 'result-set', ...decodeResultSetHeader(payload, caps) };
}
