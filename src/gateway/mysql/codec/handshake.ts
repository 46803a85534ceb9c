import { PayloadReader, PayloadWriter } from './bytes.js';
import {
  CLIENT_CONNECT_ATTRS,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_MYSQL,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION,
  CLIENT_SSL,
  CLIENT_ZSTD_COMPRESSION_ALGORITHM,
  hasCaps,
  highCaps,
  joinCaps,
  lowCaps,
} from './capabilities.js';
import { ProtocolError } from './errors.js';
import { decodeErr, decodeOk } from './response.js';
import type { ErrPacket, OkPacket } from './response.js';

/**
 * The connection phase ("Connection Phase", "Connection Phase Packets"): the server's
 * greeting, the client's answer (or its SSLRequest first), and the authentication exchange
 * that follows (AuthSwitchRequest, AuthMoreData) until OK or ERR.
 */

export interface HandshakeV10 {
  serverVersion: string;
  connectionId: number;
  /** The auth plugin data ("scramble"): 20 bytes for the plugins here, without the trailing NUL. */
  scramble: Buffer;
  /** Capabilities, MariaDB's extended ones in the upper 32 bits when the server is MariaDB (CLIENT_MYSQL unset). */
  capabilities: number;
  characterSet: number;
  status: number;
  authPluginName: string;
}

/**
 * "Protocol::HandshakeV10". MariaDB puts its extended capabilities in the last 4 of the 10
 * reserved bytes when it clears CLIENT_MYSQL (MariaDB docs, "Connection" → "Initial
 * handshake packet").
 */
export function encodeHandshakeV10(h: HandshakeV10): Buffer {
  if (h.scramble.length < 8) throw new RangeError('the scramble has at least 8 bytes');
  const low = lowCaps(h.capabilities);
  const w = new PayloadWriter(96)
    .u8(10)
    .cstring(h.serverVersion)
    .u32(h.connectionId)
    .bytes(h.scramble.subarray(0, 8))
    .u8(0)
    .u16(low & 0xffff)
    .u8(h.characterSet)
    .u16(h.status)
    .u16(low >>> 16)
    .u8(hasCaps(h.capabilities, CLIENT_PLUGIN_AUTH) ? h.scramble.length + 1 : 0)
    .zeros(6);
  if (!hasCaps(h.capabilities, CLIENT_MYSQL)) w.u32(highCaps(h.capabilities));
  else w.zeros(4);
  if (hasCaps(h.capabilities, CLIENT_SECURE_CONNECTION)) {
    // max(13, length - 8) bytes: the rest of the scramble and its NUL.
    const part2 = h.scramble.subarray(8);
    w.bytes(part2).zeros(Math.max(13 - part2.length, 1));
  }
  if (hasCaps(h.capabilities, CLIENT_PLUGIN_AUTH)) w.cstring(h.authPluginName);
  return w.finish();
}

export function decodeHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PayloadReader(payload, 'HandshakeV10');
  const version = r.u8();
  if (version !== 10) throw new ProtocolError(`the server speaks protocol version ${version}, not 10`);
  const serverVersion = r.cstring();
  const connectionId = r.u32();
  const part1 = r.bytes(8);
  r.u8();
  let low = r.u16();
  let characterSet = 0;
  let status = 0;
  let high = 0;
  let dataLength = 0;
  if (r.remaining > 0) {
    characterSet = r.u8();
    status = r.u16();
    low = (low | (r.u16() << 16)) >>> 0;
    dataLength = r.u8();
    r.skip(6);
    const extended = r.u32();
    if (!hasCaps(low, CLIENT_MYSQL)) high = extended;
  }
  const capabilities = joinCaps(low, high);
  let scramble = Buffer.from(part1);
  if (hasCaps(capabilities, CLIENT_SECURE_CONNECTION) && r.remaining > 0) {
    const part2 = r.bytes(Math.min(r.remaining, Math.max(13, dataLength - 8)));
    // The second part ends with a NUL that is not part of the data.
    const data = part2[part2.length - 1] === 0 ? part2.subarray(0, part2.length - 1) : part2;
    scramble = Buffer.concat([part1, data]);
  }
  let authPluginName = '';
  if (hasCaps(capabilities, CLIENT_PLUGIN_AUTH) && r.remaining > 0) {
    // Some servers (MySQL 5.5.x) leave out the final NUL.
    const rest = r.rest();
    const end = rest.indexOf(0);
    authPluginName = rest.toString('utf8', 0, end < 0 ? rest.length : end);
  }
  return { serverVersion, connectionId, scramble, capabilities, characterSet, status, authPluginName };
}

export interface HandshakeResponse41 {
  /** The client's capabilities, its MariaDB extended ones in the upper 32 bits. */
  capabilities: number;
  maxPacketSize: number;
  characterSet: number;
  username: string;
  authResponse: Buffer;
  /** Present when CLIENT_CONNECT_WITH_DB is set. */
  database?: string;
  /** Present when CLIENT_PLUGIN_AUTH is set. */
  authPluginName?: string;
  /** Present when CLIENT_CONNECT_ATTRS is set, in the order sent. */
  attributes?: Map<string, string>;
  /** CLIENT_ZSTD_COMPRESSION_ALGORITHM's compression level. */
  zstdCompressionLevel?: number;
}

/** The fixed first 32 bytes both SSLRequest and HandshakeResponse41 start with. */
function writePrefix(w: PayloadWriter, capabilities: number, maxPacketSize: number, characterSet: number): void {
  // The last 4 bytes of the 23-byte filler carry MariaDB's extended capabilities.
  w.u32(lowCaps(capabilities)).u32(maxPacketSize).u8(characterSet).zeros(19).u32(highCaps(capabilities));
}

function readPrefix(r: PayloadReader): { capabilities: number; maxPacketSize: number; characterSet: number } {
  const low = r.u32();
  const maxPacketSize = r.u32();
  const characterSet = r.u8();
  r.skip(19);
  const high = r.u32();
  return { capabilities: joinCaps(low, high), maxPacketSize, characterSet };
}

export const SSL_REQUEST_LENGTH = 32;

/** "Protocol::SSLRequest": the first 32 bytes of a HandshakeResponse41, with CLIENT_SSL set. */
export function isSslRequest(payload: Buffer): boolean {
  return payload.length === SSL_REQUEST_LENGTH && (payload.readUInt32LE(0) & CLIENT_SSL) !== 0;
}

export function encodeSslRequest(capabilities: number, maxPacketSize: number, characterSet: number): Buffer {
  const w = new PayloadWriter(SSL_REQUEST_LENGTH);
  writePrefix(w, capabilities, maxPacketSize, characterSet);
  return w.finish();
}

export function decodeSslRequest(payload: Buffer): { capabilities: number; maxPacketSize: number; characterSet: number } {
  if (!isSslRequest(payload)) throw new ProtocolError('malformed SSLRequest: not 32 bytes with CLIENT_SSL set');
  return readPrefix(new PayloadReader(payload, 'SSLRequest'));
}

export function encodeHandshakeResponse41(h: HandshakeResponse41): Buffer {
  const caps = h.capabilities;
  if (!hasCaps(caps, CLIENT_PROTOCOL_41)) throw new RangeError('HandshakeResponse41 needs CLIENT_PROTOCOL_41');
  const w = new PayloadWriter(128);
  writePrefix(w, caps, h.maxPacketSize, h.characterSet);
  w.cstring(h.username);
  if (hasCaps(caps, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) w.lenencBytes(h.authResponse);
  else if (hasCaps(caps, CLIENT_SECURE_CONNECTION)) {
    if (h.authResponse.length > 255) throw new RangeError('an auth response over 255 bytes needs CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA');
    w.u8(h.authResponse.length).bytes(h.authResponse);
  } else w.cstring(h.authResponse);
  if (hasCaps(caps, CLIENT_CONNECT_WITH_DB)) w.cstring(h.database ?? '');
  if (hasCaps(caps, CLIENT_PLUGIN_AUTH)) w.cstring(h.authPluginName ?? '');
  if (hasCaps(caps, CLIENT_CONNECT_ATTRS)) {
    const attrs = new PayloadWriter(64);
    for (const [k, v] of h.attributes ?? []) attrs.lenencBytes(k).lenencBytes(v);
    w.lenencBytes(attrs.finish());
  }
  if (hasCaps(caps, CLIENT_ZSTD_COMPRESSION_ALGORITHM)) w.u8(h.zstdCompressionLevel ?? 3);
  return w.finish();
}

/**
 * "Protocol::HandshakeResponse41". The auth response comes in one of three encodings, chosen
 * by the client's capabilities: string<lenenc> (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA),
 * int<1> length + bytes (CLIENT_SECURE_CONNECTION), or string<NUL>. Trailing optional fields
 * a client leaves out read as absent, as the server reads them.
 */
export function decodeHandshakeResponse41(payload: Buffer): HandshakeResponse41 {
  const r = new PayloadReader(payload, 'HandshakeResponse41');
  if (payload.length >= 4 && (payload.readUInt32LE(0) & CLIENT_PROTOCOL_41) === 0) {
    throw new ProtocolError('the client speaks the pre-4.1 protocol (HandshakeResponse320), which is not supported');
  }
  const { capabilities, maxPacketSize, characterSet } = readPrefix(r);
  const username = r.cstring();
  let authResponse: Buffer;
  if (hasCaps(capabilities, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) authResponse = r.lenencBytes();
  else if (hasCaps(capabilities, CLIENT_SECURE_CONNECTION)) authResponse = r.bytes(r.u8());
  else authResponse = r.cstringBytes();
  const h: HandshakeResponse41 = { capabilities, maxPacketSize, characterSet, username, authResponse: Buffer.from(authResponse) };
  if (hasCaps(capabilities, CLIENT_CONNECT_WITH_DB)) h.database = r.remaining > 0 ? r.cstring() : '';
  if (hasCaps(capabilities, CLIENT_PLUGIN_AUTH)) h.authPluginName = r.remaining > 0 ? r.cstring() : '';
  if (hasCaps(capabilities, CLIENT_CONNECT_ATTRS) && r.remaining > 0) {
    const attrs = new PayloadReader(r.lenencBytes(), 'connection attributes');
    h.attributes = new Map();
    while (attrs.remaining > 0) {
      const key = attrs.lenencString();
      h.attributes.set(key, attrs.lenencString());
    }
  }
  if (hasCaps(capabilities, CLIENT_ZSTD_COMPRESSION_ALGORITHM) && r.remaining > 0) h.zstdCompressionLevel = r.u8();
  r.end();
  return h;
}

/** "Protocol::AuthSwitchRequest": 0xFE, the plugin name, its data (for the scramble plugins: 20 bytes and a NUL). */
export interface AuthSwitchRequest {
  pluginName: string;
  data: Buffer;
}

export const AUTH_SWITCH_HEADER = 0xfe;
export const AUTH_MORE_DATA_HEADER = 0x01;

/** caching_sha2_password's AuthMoreData codes ("caching_sha2_password information"). */
export const CACHING_SHA2 = {
  REQUEST_PUBLIC_KEY: 0x02,
  FAST_AUTH_SUCCESS: 0x03,
  PERFORM_FULL_AUTHENTICATION: 0x04,
} as const;

export function encodeAuthSwitchRequest(req: AuthSwitchRequest): Buffer {
  return new PayloadWriter(32 + req.data.length).u8(AUTH_SWITCH_HEADER).cstring(req.pluginName).bytes(req.data).finish();
}

export function decodeAuthSwitchRequest(payload: Buffer): AuthSwitchRequest {
  const r = new PayloadReader(payload, 'AuthSwitchRequest');
  if (r.u8() !== AUTH_SWITCH_HEADER) r.fail('header is not 0xfe');
  // A lone 0xFE is the old "Protocol::OldAuthSwitchRequest" (mysql_old_password).
  if (r.remaining === 0) return { pluginName: 'mysql_old_password', data: Buffer.alloc(0) };
  const pluginName = r.cstring();
  return { pluginName, data: Buffer.from(r.rest()) };
}

export function encodeAuthMoreData(data: Uint8Array): Buffer {
  return new PayloadWriter(1 + data.length).u8(AUTH_MORE_DATA_HEADER).bytes(data).finish();
}

/** What the server says during authentication, after the client's HandshakeResponse or AuthSwitchResponse. */
export type AuthPacket =
  | ({ kind: 'ok' } & OkPacket)
  | ({ kind: 'error' } & ErrPacket)
  | ({ kind: 'switch' } & AuthSwitchRequest)
  | { kind: 'more-data'; data: Buffer };

export function decodeAuthPacket(payload: Buffer, caps: number): AuthPacket {
  switch (payload[0]) {
    case 0x00:
      return { kind: 'ok', ...decodeOk(payload, caps) };
    case 0xff:
      return { kind: 'error', ...decodeErr(payload) };
    case AUTH_SWITCH_HEADER:
      return { kind: 'switch', ...decodeAuthSwitchRequest(payload) };
    case AUTH_MORE_DATA_HEADER:
      return { kind: 'more-data', data: Buffer.from(payload.subarray(1)) };
    default:
      throw new ProtocolError(
        payload.length === 0 ? 'malformed authentication packet: empty' : `malformed authentication packet: header 0x${payload[0]!.toString(16)}`,
      );
  }
}
