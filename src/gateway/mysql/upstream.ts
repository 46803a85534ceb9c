import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import {
  CHARSET,
  CLIENT_CONNECT_ATTRS,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_DEPRECATE_EOF,
  CLIENT_LONG_FLAG,
  CLIENT_LONG_PASSWORD,
  CLIENT_MULTI_RESULTS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_PS_MULTI_RESULTS,
  CLIENT_SECURE_CONNECTION,
  CLIENT_SSL,
  CLIENT_TRANSACTIONS,
  decodeAuthPacket,
  decodeErr,
  decodeHandshakeV10,
  DEFAULT_MAX_PACKET_BYTES,
  encodeHandshakeResponse41,
  encodeSslRequest,
  hasCaps,
  intersectCaps,
  ProtocolError,
  unionCaps,
  withoutCaps,
  CLIENT_COMPRESS,
  CLIENT_ZSTD_COMPRESSION_ALGORITHM,
  MULTI_FACTOR_AUTHENTICATION,
  CLIENT_CAPABILITY_EXTENSION,
  CLIENT_SSL_VERIFY_SERVER_CERT,
  CLIENT_REMEMBER_OPTIONS,
  CLIENT_OPTIONAL_RESULTSET_METADATA,
} from './codec/index.js';
import type { HandshakeV10 } from './codec/index.js';
import { NATIVE, PluginExchange } from './upstream/auth.js';
import { UpstreamError } from './upstream/errors.js';
import { PacketPump } from './upstream/pump.js';

export { UpstreamError } from './upstream/errors.js';

/**
 * Dialing the real MySQL or MariaDB server as a client ("Connection Phase"): TCP, the
 * server's HandshakeV10, TLS when asked for ("SSL": SSLRequest, then the TLS handshake, then
 * the rest encrypted), HandshakeResponse41, and the authentication exchange up to the OK.
 * The socket is then handed over for the relay.
 */

/** Like the PostgreSQL dialer and libmysql's ssl-mode: disable, prefer (fall back to clear), require (no certificate check), verify-full. */
export type UpstreamTls = 'disable' | 'prefer' | 'require' | 'verify-full';

export interface UpstreamTarget {
  host: string;
  port: number;
  user: string;
  password: string | null;
  /** The default schema (CLIENT_CONNECT_WITH_DB); none when absent or empty. */
  database?: string | null;
  tls: UpstreamTls;
  /**
   * The capabilities the gateway's client negotiated: the upstream gets these, as far as the
   * server offers them, plus what the dialer needs. Default: a modern client's set.
   */
  clientCapabilities?: number;
  /** The connection character set (collation id); default utf8mb4_general_ci. */
  characterSet?: number;
  /** Connection attributes (CLIENT_CONNECT_ATTRS): program_name, _client_name … */
  attributes?: Record<string, string>;
  /** The whole dial (TCP, TLS, authentication); default 10000. */
  connectTimeoutMs?: number;
  /** PEM CA certificates to trust instead of the system ones, for 'verify-full'. */
  tlsCa?: string;
  /** Lets caching_sha2_password/sha256_password fetch the server's RSA key without TLS (off: a man in the middle could read the password). */
  allowPublicKeyRetrieval?: boolean;
}

export interface UpstreamConnection {
  /** A tls.TLSSocket when TLS was negotiated. No 'data' listener attached and paused: attach yours, then resume(). */
  socket: Socket;
  /** The capabilities in force on this connection (what the relay must parse with). */
  capabilities: number;
  /** What the server offered in its greeting. */
  serverCapabilities: number;
  /** As the server announces it, without the "5.5.5-" MariaDB prefixes for old replication clients. */
  serverVersion: string;
  /** The server's thread id: KILL QUERY <id> on another connection cancels this one's statement. */
  connectionId: number;
  /** The status flags of the final OK (SERVER_STATUS_AUTOCOMMIT, …). */
  status: number;
  characterSet: number;
  /** The plugin that authenticated the connection. */
  authPlugin: string;
  tls: boolean;
  /** Bytes read after the final OK (normally empty): process them before what the socket delivers next. */
  remainder: Buffer;
}

/** What a current mysql client asks for; used when the gateway passes no client capabilities. */
export const DEFAULT_CLIENT_CAPABILITIES = unionCaps(
  CLIENT_LONG_PASSWORD,
  CLIENT_LONG_FLAG,
  CLIENT_PROTOCOL_41,
  CLIENT_TRANSACTIONS,
  CLIENT_SECURE_CONNECTION,
  CLIENT_MULTI_RESULTS,
  CLIENT_PS_MULTI_RESULTS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_DEPRECATE_EOF,
);

/** Without these the dialer cannot speak to the server at all. */
const REQUIRED = unionCaps(CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH);

/**
 * What the dialer decides itself and never takes from the client: compression (the relay
 * does not implement it), TLS and the default schema and attributes (its own), MySQL 8's
 * multi-factor authentication, the capability extension, and metadata skipping (the gateway
 * decodes result sets from what it is sent).
 */
const DIALER_OWNED = unionCaps(
  CLIENT_COMPRESS,
  CLIENT_ZSTD_COMPRESSION_ALGORITHM,
  CLIENT_SSL,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_CONNECT_ATTRS,
  MULTI_FACTOR_AUTHENTICATION,
  CLIENT_CAPABILITY_EXTENSION,
  CLIENT_SSL_VERIFY_SERVER_CERT,
  CLIENT_REMEMBER_OPTIONS,
  CLIENT_OPTIONAL_RESULTSET_METADATA,
);

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const noop = (): void => {};

export async function connectUpstream(target: UpstreamTarget): Promise<UpstreamConnection> {
  const peer = `${target.host}:${target.port}`;
  const timeoutMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError(`connecting to ${peer} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([dial(target, peer, sockets), timeout]);
  } catch (err) {
    for (const s of sockets) s.destroy();
    throw asUpstreamError(err, peer);
  } finally {
    clearTimeout(timer);
  }
}

/** The capabilities to send: the client's (minus what the dialer owns) and the required ones, as far as the server offers them. */
export function negotiateCapabilities(server: number, client: number, extra: number): number {
  const wanted = unionCaps(withoutCaps(client, DIALER_OWNED), REQUIRED, extra);
  return intersectCaps(wanted, server);
}

async function dial(target: UpstreamTarget, peer: string, sockets: Socket[]): Promise<UpstreamConnection> {
  const raw = await openSocket(target, peer, sockets);
  let pump = new PacketPump(raw, peer);
  const first = await pump.next();
  if (first.payload[0] === 0xff) {
    // The server refuses before the handshake (too many connections, host blocked): an ERR without SQLSTATE.
    const err = decodeErr(first.payload);
    throw new UpstreamError(`the upstream refused the connection: ${err.message} (${err.code})`, { err });
  }
  const greeting = decodeHandshakeV10(first.payload);
  if (!hasCaps(greeting.capabilities, REQUIRED)) {
    throw new UpstreamError(`${peer} does not speak the 4.1 protocol with authentication plugins (capabilities 0x${greeting.capabilities.toString(16)})`);
  }

  const database = target.database ?? '';
  const attributes = target.attributes && Object.keys(target.attributes).length > 0 ? new Map(Object.entries(target.attributes)) : undefined;
  let caps = negotiateCapabilities(
    greeting.capabilities,
    target.clientCapabilities ?? DEFAULT_CLIENT_CAPABILITIES,
    unionCaps(database ? CLIENT_CONNECT_WITH_DB : 0, attributes ? CLIENT_CONNECT_ATTRS : 0),
  );
  const characterSet = target.characterSet ?? CHARSET.UTF8MB4_GENERAL_CI;

  let socket: Socket = raw;
  let tls = false;
  if (target.tls !== 'disable') {
    if (hasCaps(greeting.capabilities, CLIENT_SSL)) {
      caps = unionCaps(caps, CLIENT_SSL);
      pump.send(encodeSslRequest(caps, DEFAULT_MAX_PACKET_BYTES, characterSet));
      const sequenceId = pump.sequenceId;
      // Bytes after the greeting would be read as if they came through TLS; the server sends none.
      if (pump.detach().length > 0) throw new UpstreamError(`${peer} sent unexpected data after its greeting`);
      socket = await startTls(raw, target, peer, sockets);
      tls = true;
      pump = new PacketPump(socket, peer);
      pump.sequenceId = sequenceId;
    } else if (target.tls !== 'prefer') {
      throw new UpstreamError(`${peer} does not offer TLS (no CLIENT_SSL in its greeting), and the connection requires it (tls: ${target.tls})`);
    }
  }

  const password = target.password ?? '';
  const plugin = greeting.authPluginName || NATIVE;
  // A plugin we do not speak as the server's default is no failure yet: answer as
  // mysql_native_password, as libmysql does, and the server switches to the account's plugin.
  let exchange: PluginExchange;
  try {
    exchange = new PluginExchange(plugin, greeting.scramble, password, tls, target.allowPublicKeyRetrieval);
  } catch {
    exchange = new PluginExchange(NATIVE, greeting.scramble, password, tls, target.allowPublicKeyRetrieval);
  }
  pump.send(
    encodeHandshakeResponse41({
      capabilities: caps,
      maxPacketSize: DEFAULT_MAX_PACKET_BYTES,
      characterSet,
      username: target.user,
      authResponse: exchange.first(),
      ...(database ? { database } : {}),
      authPluginName: exchange.plugin,
      ...(attributes ? { attributes } : {}),
    }),
  );

  for (;;) {
    const packet = await pump.next();
    const auth = decodeAuthPacket(packet.payload, caps);
    switch (auth.kind) {
      case 'ok': {
        const remainder = pump.detach();
        socket.off('error', noop);
        return connection(socket, greeting, caps, auth.status, characterSet, exchange.plugin, tls, remainder);
      }
      case 'error':
        throw new UpstreamError(`the upstream refused the login: ${auth.message} (${auth.code}/${auth.sqlstate})`, { err: auth });
      case 'switch': {
        // "Authentication Method Switch": the data is the new scramble (20 bytes and a NUL for the scramble plugins).
        const scramble = auth.data.length === 21 && auth.data[20] === 0 ? auth.data.subarray(0, 20) : auth.data;
        exchange = new PluginExchange(auth.pluginName, Buffer.from(scramble), password, tls, target.allowPublicKeyRetrieval);
        pump.send(exchange.first());
        break;
      }
      case 'more-data': {
        const answer = exchange.moreData(auth.data);
        if (answer) pump.send(answer);
        break;
      }
    }
  }
}

function connection(
  socket: Socket,
  greeting: HandshakeV10,
  capabilities: number,
  status: number,
  characterSet: number,
  authPlugin: string,
  tls: boolean,
  remainder: Buffer,
): UpstreamConnection {
  return {
    socket,
    capabilities,
    serverCapabilities: greeting.capabilities,
    serverVersion: greeting.serverVersion.replace(/^5\.5\.5-(?=.*MariaDB)/, ''),
    connectionId: greeting.connectionId,
    status,
    characterSet,
    authPlugin,
    tls,
    remainder,
  };
}

/** TCP to the target. Every socket goes into `sockets` so a failure or timeout can destroy it. */
function openSocket(target: Pick<UpstreamTarget, 'host' | 'port'>, peer: string, sockets: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    sockets.push(socket);
    socket.on('error', noop);
    const onError = (err: Error) => reject(new UpstreamError(`cannot connect to ${peer}: ${err.message}`, { cause: err }));
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
  });
}

function startTls(raw: Socket, target: UpstreamTarget, peer: string, sockets: Socket[]): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const options: ConnectionOptions = {
      socket: raw,
      host: target.host,
      rejectUnauthorized: target.tls === 'verify-full',
    };
    if (isIP(target.host) === 0) options.servername = target.host;
    if (target.tlsCa !== undefined) options.ca = target.tlsCa;
    const secure = tlsConnect(options);
    sockets.push(secure);
    secure.on('error', noop);
    const onError = (err: Error) => reject(new UpstreamError(`TLS with ${peer} failed: ${err.message}`, { cause: err }));
    secure.once('error', onError);
    secure.once('secureConnect', () => {
      secure.off('error', onError);
      resolve(secure);
    });
  });
}

function asUpstreamError(err: unknown, peer: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  if (err instanceof ProtocolError) return new UpstreamError(`${peer} broke the protocol: ${err.message}`, { cause: err });
  return new UpstreamError(`connecting to ${peer} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
