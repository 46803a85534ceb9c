import { BodyReader, MessageWriter, checkCount, emptyMessage } from './bytes.js';
import { encodeFields } from './error-fields.js';
import type { ErrorFields } from './error-fields.js';
import { MAX_CANCEL_KEY_LENGTH, MIN_CANCEL_KEY_LENGTH } from './frontend.js';

export type { ErrorFields } from './error-fields.js';
export { parseErrorFields } from './error-fields.js';

/**
 * Messages a server sends ("Message Formats", those marked (B)): encoders for what the
 * gateway says itself (authentication, errors, its own ReadyForQuery), decoders for what the
 * upstream says that the gateway must understand.
 */

/** Type bytes of the backend messages. */
export const BE = {
  Authentication: 0x52, // R
  BackendKeyData: 0x4b, // K
  BindComplete: 0x32, // 2
  CloseComplete: 0x33, // 3
  CommandComplete: 0x43, // C
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyInResponse: 0x47, // G
  CopyOutResponse: 0x48, // H
  CopyBothResponse: 0x57, // W
  DataRow: 0x44, // D
  EmptyQueryResponse: 0x49, // I
  ErrorResponse: 0x45, // E
  FunctionCallResponse: 0x56, // V
  NegotiateProtocolVersion: 0x76, // v
  NoData: 0x6e, // n
  NoticeResponse: 0x4e, // N
  NotificationResponse: 0x41, // A
  ParameterDescription: 0x74, // t
  ParameterStatus: 0x53, // S
  ParseComplete: 0x31, // 1
  PortalSuspended: 0x73, // s
  ReadyForQuery: 0x5a, // Z
  RowDescription: 0x54, // T
} as const;

/** The Int32 that follows 'R' and says which AuthenticationXXX message it is. */
export const AUTH = {
  Ok: 0,
  KerberosV5: 2,
  CleartextPassword: 3,
  MD5Password: 5,
  GSS: 7,
  GSSContinue: 8,
  SSPI: 9,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

export function errorResponse(fields: ErrorFields): Buffer {
  return encodeFields(BE.ErrorResponse, fields);
}

export function noticeResponse(fields: ErrorFields): Buffer {
  return encodeFields(BE.NoticeResponse, fields);
}

function authentication(code: number, extra?: Buffer): Buffer {
  const w = new MessageWriter(BE.Authentication, 9 + (extra?.length ?? 0)).int32(code);
  if (extra) w.bytes(extra);
  return w.finish();
}

export function authenticationOk(): Buffer {
  return authentication(AUTH.Ok);
}

export function authenticationCleartextPassword(): Buffer {
  return authentication(AUTH.CleartextPassword);
}

export function authenticationMD5Password(salt: Buffer): Buffer {
  if (salt.length !== 4) throw new RangeError('an MD5 salt has 4 bytes');
  return authentication(AUTH.MD5Password, salt);
}

/** AuthenticationSASL: the mechanisms in order of preference, then an empty name. */
export function authenticationSASL(mechanisms: string[]): Buffer {
  const w = new MessageWriter(BE.Authentication).int32(AUTH.SASL);
  for (const m of mechanisms) w.cstring(m);
  return w.byte(0).finish();
}

export function authenticationSASLContinue(data: Buffer): Buffer {
  return authentication(AUTH.SASLContinue, data);
}

export function authenticationSASLFinal(data: Buffer): Buffer {
  return authentication(AUTH.SASLFinal, data);
}

export function parameterStatus(name: string, value: string): Buffer {
  return new MessageWriter(BE.ParameterStatus).cstring(name).cstring(value).finish();
}

/** BackendKeyData: 4 bytes of key under protocol 3.0, 4 to 256 under 3.2. */
export function backendKeyData(pid: number, secret: Buffer): Buffer {
  if (secret.length < MIN_CANCEL_KEY_LENGTH || secret.length > MAX_CANCEL_KEY_LENGTH) {
    throw new RangeError(`a cancel key has 4 to 256 bytes, not ${secret.length}`);
  }
  return new MessageWriter(BE.BackendKeyData, 9 + secret.length).int32(pid).bytes(secret).finish();
}

/** ReadyForQuery: I idle, T in a transaction block, E in a failed transaction block. */
export function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return new MessageWriter(BE.ReadyForQuery, 6).byte(status.charCodeAt(0)).finish();
}

/**
 * NegotiateProtocolVersion: the newest minor version supported, and the `_pq_.` options not
 * recognized. The section calls the first Int32 the "newest minor protocol version", but
 * PostgreSQL sends the whole version code (3 << 16 | minor) and libpq reads it so; we do the same.
 */
export function negotiateProtocolVersion(newestMinor: number, unrecognized: string[]): Buffer {
  const w = new MessageWriter(BE.NegotiateProtocolVersion).int32((3 << 16) | newestMinor).int32(checkCount(unrecognized.length, 'protocol options'));
  for (const name of unrecognized) w.cstring(name);
  return w.finish();
}

export function commandComplete(tag: string): Buffer {
  return new MessageWriter(BE.CommandComplete).cstring(tag).finish();
}

export function emptyQueryResponse(): Buffer {
  return emptyMessage(BE.EmptyQueryResponse);
}

export type AuthenticationRequest =
  | { kind: 'ok' }
  | { kind: 'cleartext' }
  | { kind: 'md5'; salt: Buffer }
  | { kind: 'sasl'; mechanisms: string[] }
  | { kind: 'sasl-continue'; data: Buffer }
  | { kind: 'sasl-final'; data: Buffer }
  /** Methods this codec does not take apart (Kerberos V5, GSSAPI, SSPI, …): the code says which. */
  | { kind: 'other'; code: number };

export function parseAuthentication(body: Buffer): AuthenticationRequest {
  const r = new BodyReader(body, 'Authentication');
  const code = r.int32();
  let out: AuthenticationRequest;
  switch (code) {
    case AUTH.Ok:
      out = { kind: 'ok' };
      break;
    case AUTH.CleartextPassword:
      out = { kind: 'cleartext' };
      break;
    case AUTH.MD5Password:
      out = { kind: 'md5', salt: r.bytes(4) };
      break;
    case AUTH.SASL: {
      const mechanisms: string[] = [];
      for (let m = r.cstring(); m !== ''; m = r.cstring()) mechanisms.push(m);
      out = { kind: 'sasl', mechanisms };
      break;
    }
    case AUTH.SASLContinue:
      out = { kind: 'sasl-continue', data: r.rest() };
      break;
    case AUTH.SASLFinal:
      out = { kind: 'sasl-final', data: r.rest() };
      break;
    default:
      // GSSContinue carries data; the others may grow fields. Nothing of it is ours to check.
      r.rest();
      out = { kind: 'other', code };
  }
  r.end();
  return out;
}

export function parseParameterStatus(body: Buffer): { name: string; value: string } {
  const r = new BodyReader(body, 'ParameterStatus');
  const name = r.cstring();
  const value = r.cstring();
  r.end();
  return { name, value };
}

export function parseBackendKeyData(body: Buffer): { pid: number; secret: Buffer } {
  const r = new BodyReader(body, 'BackendKeyData');
  const pid = r.int32();
  const secret = r.rest();
  if (secret.length < MIN_CANCEL_KEY_LENGTH || secret.length > MAX_CANCEL_KEY_LENGTH) {
    r.fail(`a key of ${secret.length} bytes (4 to 256 expected)`);
  }
  return { pid, secret };
}

export function parseReadyForQuery(body: Buffer): 'I' | 'T' | 'E' {
  const r = new BodyReader(body, 'ReadyForQuery');
  const status = r.byte();
  r.end();
  if (status === 0x49) return 'I';
  if (status === 0x54) return 'T';
  if (status === 0x45) return 'E';
  return r.fail(`transaction status 0x${status.toString(16)} (I, T or E expected)`);
}

export function parseCommandComplete(body: Buffer): string {
  const r = new BodyReader(body, 'CommandComplete');
  const tag = r.cstring();
  r.end();
  return tag;
}

export function parseNegotiateProtocolVersion(body: Buffer): { newestMinor: number; unrecognized: string[] } {
  const r = new BodyReader(body, 'NegotiateProtocolVersion');
  // The whole version code as PostgreSQL sends it, or a bare minor number as the section words it.
  const newestMinor = r.int32() & 0xffff;
  const n = r.int32();
  if (n < 0) r.fail(`option count ${n}`);
  const unrecognized: string[] = [];
  for (let i = 0; i < n; i++) unrecognized.push(r.cstring());
  r.end();
  return { newestMinor, unrecognized };
}

/**
 * Rows affected, from a CommandComplete tag ("Message Formats", CommandComplete):
 * "INSERT oid rows", and "<COMMAND> rows" for UPDATE, DELETE, MERGE, SELECT (also CREATE
 * TABLE AS), MOVE, FETCH and COPY. Other tags carry no count: null.
 */
export function rowsFromTag(tag: string): number | null {
  // Scanned in place rather than split: this runs once per statement.
  const space = tag.indexOf(' ');
  if (space < 0) return null;
  const command = tag.slice(0, space);
  let count = space + 1;
  if (command === 'INSERT') {
    const oidEnd = tag.indexOf(' ', count);
    if (oidEnd < 0) return null;
    count = oidEnd + 1;
  } else if (!ROW_COUNT_COMMANDS.has(command)) {
    return null;
  }
  return digitsToEnd(tag, count);
}

/** The decimal number that runs from `from` to the end of `text`, or null if anything else is there. */
function digitsToEnd(text: string, from: number): number | null {
  if (from >= text.length) return null;
  let value = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return null;
    value = value * 10 + (code - 48);
  }
  return value;
}

const ROW_COUNT_COMMANDS = new Set(['UPDATE', 'DELETE', 'MERGE', 'SELECT', 'MOVE', 'FETCH', 'COPY']);
