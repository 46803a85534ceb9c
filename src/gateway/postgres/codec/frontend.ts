import { BodyReader, MessageWriter, checkCount, emptyMessage } from './bytes.js';
import { ProtocolError } from './errors.js';

/**
 * Messages a client sends ("Message Formats", those marked (F)). Decoders take the body a
 * FrameReader returned (after the length) and throw ProtocolError on any malformed body;
 * encoders return one complete message.
 */

/** Type bytes of the typed frontend messages. */
export const FE = {
  Bind: 0x42, // B
  Close: 0x43, // C
  CopyData: 0x64, // d
  CopyDone: 0x63, // c
  CopyFail: 0x66, // f
  Describe: 0x44, // D
  Execute: 0x45, // E
  Flush: 0x48, // H
  FunctionCall: 0x46, // F
  Parse: 0x50, // P
  /** p: PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse share it; the state tells which. */
  Password: 0x70,
  Query: 0x51, // Q
  Sync: 0x53, // S
  Terminate: 0x58, // X
} as const;

/** "Message Formats": the request codes of the startup-phase packets that are not a StartupMessage. */
export const CANCEL_REQUEST_CODE = 80877102; // 1234 << 16 | 5678
export const SSL_REQUEST_CODE = 80877103; // 1234 << 16 | 5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234 << 16 | 5680

/** Protocol 3.2 (PostgreSQL 18) lets the cancel key vary in length: 4 to 256 bytes ("BackendKeyData"). */
export const MIN_CANCEL_KEY_LENGTH = 4;
export const MAX_CANCEL_KEY_LENGTH = 256;

/** The newest minor version of protocol 3 this codec speaks. */
export const LATEST_PROTOCOL_MINOR = 2;

export type StartupRequest =
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; pid: number; secret: Buffer }
  | {
      kind: 'startup';
      major: number;
      minor: number;
      /** Every name/value pair but the protocol options, in order (a repeated name keeps its last value, as in PostgreSQL). */
      params: Map<string, string>;
      /** The names starting with `_pq_.` (protocol extensions); the server lists those it does not know in NegotiateProtocolVersion. */
      protocolOptions: string[];
    };

/** Decodes a startup-phase packet body (what FrameReader.nextStartup() returns). */
export function parseStartup(body: Buffer): StartupRequest {
  const r = new BodyReader(body, 'startup packet');
  const code = r.uint32();
  switch (code) {
    case SSL_REQUEST_CODE:
      r.end();
      return { kind: 'ssl' };
    case GSSENC_REQUEST_CODE:
      r.end();
      return { kind: 'gssenc' };
    case CANCEL_REQUEST_CODE: {
      const pid = r.int32();
      const secret = r.rest();
      if (secret.length < MIN_CANCEL_KEY_LENGTH || secret.length > MAX_CANCEL_KEY_LENGTH) {
        r.fail(`CancelRequest key of ${secret.length} bytes (4 to 256 expected)`);
      }
      return { kind: 'cancel', pid, secret };
    }
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    // PostgreSQL answers this with feature_not_supported and the same wording.
    throw new ProtocolError(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.${LATEST_PROTOCOL_MINOR}`, '0A000');
  }
  // "StartupMessage": name/value String pairs, then a zero byte as the last byte.
  const params = new Map<string, string>();
  const protocolOptions: string[] = [];
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    const value = r.cstring();
    if (name.startsWith('_pq_.')) {
      if (!protocolOptions.includes(name)) protocolOptions.push(name);
    } else {
      params.set(name, value);
    }
  }
  r.end();
  return { kind: 'startup', major, minor, params, protocolOptions };
}

export function parseQuery(body: Buffer): string {
  const r = new BodyReader(body, 'Query');
  const text = r.cstring();
  r.end();
  return text;
}

export interface ParseMessage {
  /** The prepared statement's name; '' is the unnamed statement. */
  name: string;
  query: string;
  /** Parameter type OIDs; 0 leaves the type to the server. */
  paramTypes: number[];
}

export function parseParse(body: Buffer): ParseMessage {
  const r = new BodyReader(body, 'Parse');
  const name = r.cstring();
  const query = r.cstring();
  const n = r.uint16();
  const paramTypes = new Array<number>(n);
  for (let i = 0; i < n; i++) paramTypes[i] = r.uint32();
  r.end();
  return { name, query, paramTypes };
}

export interface BindMessage {
  portal: string;
  statement: string;
  /** 0 text, 1 binary; none means all text, one applies to all. */
  paramFormats: number[];
  /** Views into the message body (no copy); null is SQL NULL (length -1). */
  params: (Buffer | null)[];
  resultFormats: number[];
}

export function parseBind(body: Buffer): BindMessage {
  const r = new BodyReader(body, 'Bind');
  const portal = r.cstring();
  const statement = r.cstring();
  const paramFormats = readInt16List(r);
  const n = r.uint16();
  const params = new Array<Buffer | null>(n);
  for (let i = 0; i < n; i++) {
    const length = r.int32();
    if (length === -1) params[i] = null;
    else if (length < 0) r.fail(`parameter ${i + 1} has length ${length}`);
    else params[i] = r.bytes(length);
  }
  const resultFormats = readInt16List(r);
  r.end();
  // PostgreSQL's exec_bind_message rejects this as a protocol violation too.
  if (paramFormats.length > 1 && paramFormats.length !== n) {
    r.fail(`${paramFormats.length} parameter formats but ${n} parameters`);
  }
  return { portal, statement, paramFormats, params, resultFormats };
}

function readInt16List(r: BodyReader): number[] {
  const n = r.uint16();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = r.int16();
  return out;
}

export function parseDescribe(body: Buffer): { kind: 'S' | 'P'; name: string } {
  return parseTarget(body, 'Describe');
}

export function parseClose(body: Buffer): { kind: 'S' | 'P'; name: string } {
  return parseTarget(body, 'Close');
}

/** Describe and Close: Byte1 'S' (statement) or 'P' (portal), then the name. */
function parseTarget(body: Buffer, what: string): { kind: 'S' | 'P'; name: string } {
  const r = new BodyReader(body, what);
  const kind = r.byte();
  if (kind !== 0x53 && kind !== 0x50) r.fail(`subtype 0x${kind.toString(16)} (S or P expected)`);
  const name = r.cstring();
  r.end();
  return { kind: kind === 0x53 ? 'S' : 'P', name };
}

export function parseExecute(body: Buffer): { portal: string; maxRows: number } {
  const r = new BodyReader(body, 'Execute');
  const portal = r.cstring();
  const maxRows = r.int32(); // 0 (or less, as PostgreSQL reads it) means no limit
  r.end();
  return { portal, maxRows };
}

/** SASLInitialResponse: the mechanism, then Int32 length (-1: no initial response) and the data. */
export function parseSASLInitialResponse(body: Buffer): { mechanism: string; data: Buffer | null } {
  const r = new BodyReader(body, 'SASLInitialResponse');
  const mechanism = r.cstring();
  const length = r.int32();
  let data: Buffer | null = null;
  if (length !== -1) {
    if (length < 0) r.fail(`data length ${length}`);
    data = r.bytes(length);
  }
  r.end();
  return { mechanism, data };
}

/** PasswordMessage (cleartext, or "md5…" for MD5). A SASLResponse body is the message body itself. */
export function parsePassword(body: Buffer): string {
  const r = new BodyReader(body, 'PasswordMessage');
  const password = r.cstring();
  r.end();
  return password;
}

export function parseCopyFail(body: Buffer): string {
  const r = new BodyReader(body, 'CopyFail');
  const message = r.cstring();
  r.end();
  return message;
}

// ---- Encoders ----

/** StartupMessage for protocol 3.minor; `user` is required by the server, `database` defaults to it. */
export function startupMessage(params: Record<string, string>, minor = 0): Buffer {
  const w = new MessageWriter(null, 128).int32((3 << 16) | minor);
  for (const [name, value] of Object.entries(params)) w.cstring(name).cstring(value);
  return w.byte(0).finish();
}

export function sslRequest(): Buffer {
  return new MessageWriter(null, 8).int32(SSL_REQUEST_CODE).finish();
}

export function gssencRequest(): Buffer {
  return new MessageWriter(null, 8).int32(GSSENC_REQUEST_CODE).finish();
}

export function cancelRequest(pid: number, secret: Buffer): Buffer {
  if (secret.length < MIN_CANCEL_KEY_LENGTH || secret.length > MAX_CANCEL_KEY_LENGTH) {
    throw new ProtocolError(`a cancel key has 4 to 256 bytes, not ${secret.length}`);
  }
  return new MessageWriter(null, 12 + secret.length).int32(CANCEL_REQUEST_CODE).int32(pid).bytes(secret).finish();
}

export function query(text: string): Buffer {
  return new MessageWriter(FE.Query, Buffer.byteLength(text) + 6).cstring(text).finish();
}

export function parse(m: ParseMessage): Buffer {
  const w = new MessageWriter(FE.Parse, Buffer.byteLength(m.query) + m.name.length * 3 + 9 + 4 * m.paramTypes.length);
  w.cstring(m.name).cstring(m.query).uint16(checkCount(m.paramTypes.length, 'parameter types'));
  for (const oid of m.paramTypes) w.uint32(oid);
  return w.finish();
}

export function bind(m: BindMessage): Buffer {
  let size = 32 + (m.portal.length + m.statement.length) * 3 + 2 * (m.paramFormats.length + m.resultFormats.length);
  for (const p of m.params) size += 4 + (p?.length ?? 0);
  const w = new MessageWriter(FE.Bind, size).cstring(m.portal).cstring(m.statement);
  w.uint16(checkCount(m.paramFormats.length, 'parameter formats'));
  for (const f of m.paramFormats) w.int16(f);
  w.uint16(checkCount(m.params.length, 'parameters'));
  for (const p of m.params) {
    if (p === null) w.int32(-1);
    else w.int32(p.length).bytes(p);
  }
  w.uint16(checkCount(m.resultFormats.length, 'result formats'));
  for (const f of m.resultFormats) w.int16(f);
  return w.finish();
}

export function describe(kind: 'S' | 'P', name: string): Buffer {
  return new MessageWriter(FE.Describe).byte(kind.charCodeAt(0)).cstring(name).finish();
}

export function close(kind: 'S' | 'P', name: string): Buffer {
  return new MessageWriter(FE.Close).byte(kind.charCodeAt(0)).cstring(name).finish();
}

export function execute(portal: string, maxRows: number): Buffer {
  return new MessageWriter(FE.Execute).cstring(portal).int32(maxRows).finish();
}

export function sync(): Buffer {
  return emptyMessage(FE.Sync);
}

export function flush(): Buffer {
  return emptyMessage(FE.Flush);
}

export function terminate(): Buffer {
  return emptyMessage(FE.Terminate);
}

export function passwordMessage(text: string): Buffer {
  return new MessageWriter(FE.Password).cstring(text).finish();
}

export function saslInitialResponse(mechanism: string, data: Buffer): Buffer {
  return new MessageWriter(FE.Password, 16 + mechanism.length + data.length).cstring(mechanism).int32(data.length).bytes(data).finish();
}

export function saslResponse(data: Buffer): Buffer {
  return new MessageWriter(FE.Password, 5 + data.length).bytes(data).finish();
}

export function copyData(b: Buffer): Buffer {
  return new MessageWriter(FE.CopyData, 5 + b.length).bytes(b).finish();
}

export function copyDone(): Buffer {
  return emptyMessage(FE.CopyDone);
}

export function copyFail(msg: string): Buffer {
  return new MessageWriter(FE.CopyFail).cstring(msg).finish();
}
