import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import {
  BE,
  cancelRequest,
  parseAuthentication,
  parseBackendKeyData,
  parseErrorFields,
  parseNegotiateProtocolVersion,
  parseParameterStatus,
  passwordMessage,
  ProtocolError,
  saslInitialResponse,
  saslResponse,
  sslRequest,
  startupMessage,
} from './codec/index.js';
import { authMethodName, md5PasswordResponse } from './upstream/auth.js';
import { UpstreamError } from './upstream/errors.js';
import { MessagePump } from './upstream/pump.js';
import { SCRAM_SHA_256, ScramClient } from './upstream/scram.js';

export { UpstreamError } from './upstream/errors.js';

/**
 * Dialing the real database as a client: TCP, then TLS as "SSL Session Encryption" describes,
 * then the startup phase of "Message Flow" (authentication, ParameterStatus, BackendKeyData)
 * up to the first ReadyForQuery. The socket is then handed over for the relay.
 */

/**
 * Like libpq's sslmode: 'disable' never asks for TLS; 'prefer' asks and goes on in the clear
 * when refused; 'require' insists but does not check the certificate; 'verify-full' checks
 * the chain (system CAs, or `tlsCa`) and the host name.
 */
export type UpstreamTls = 'disable' | 'prefer' | 'require' | 'verify-full';

export interface UpstreamTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | null;
  tls: UpstreamTls;
  /** Further StartupMessage parameters: application_name, client_encoding, DateStyle, TimeZone, options … */
  params?: Record<string, string>;
  /** The whole dial (TCP, TLS, authentication, startup); default 10000. */
  connectTimeoutMs?: number;
  /** PEM CA certificates to trust instead of the system ones (a private CA), for 'verify-full'. */
  tlsCa?: string;
  /** The minor protocol version to ask for: 0 (3.0, the default) or 2 (3.2, longer cancel keys). */
  protocolMinor?: 0 | 2;
}

export interface UpstreamConnection {
  /** A tls.TLSSocket when TLS was negotiated. No 'data' listener attached and paused: attach yours, then resume(). */
  socket: Socket;
  /** Every ParameterStatus seen during startup (server_version, server_encoding, TimeZone, …). */
  parameters: Map<string, string>;
  backendKey: { pid: number; secret: Buffer };
  /** Bytes read after ReadyForQuery (normally empty): process them before what the socket delivers next. */
  remainder: Buffer;
  tls: boolean;
  /** The protocol minor version in force (the asked one, or lower after NegotiateProtocolVersion). */
  protocolMinor: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const S = 0x53;
const N = 0x4e;
const E = 0x45;
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

async function dial(target: UpstreamTarget, peer: string, sockets: Socket[]): Promise<UpstreamConnection> {
  const raw = await openSocket(target, peer, sockets);
  let socket: Socket = raw;
  let tls = false;
  if (target.tls !== 'disable') {
    const secure = await negotiateTls(raw, target, peer, sockets);
    if (secure) {
      socket = secure;
      tls = true;
    }
  }

  const pump = new MessagePump(socket, peer);
  let protocolMinor: number = target.protocolMinor ?? 0;
  pump.send(startupMessage({ ...target.params, user: target.user, database: target.database }, protocolMinor));

  const parameters = new Map<string, string>();
  let backendKey: { pid: number; secret: Buffer } | null = null;
  let scram: ScramClient | null = null;
  const password = (): string => {
    if (target.password === null) throw new UpstreamError('the upstream asks for a password but the connection has none');
    return target.password;
  };

  for (;;) {
    const frame = await pump.next();
    switch (frame.type) {
      case BE.Authentication: {
        const request = parseAuthentication(frame.body);
        switch (request.kind) {
          case 'ok':
            // A server that skips the end of SCRAM has not proven it knows the password.
            if (scram && !scram.done) throw new UpstreamError('the upstream ended SCRAM authentication without proving it knows the password');
            break;
          case 'cleartext':
            pump.send(passwordMessage(password()));
            break;
          case 'md5':
            pump.send(passwordMessage(md5PasswordResponse(target.user, password(), request.salt)));
            break;
          case 'sasl':
            if (!request.mechanisms.includes(SCRAM_SHA_256)) {
              throw new UpstreamError(`the upstream offers the SASL mechanisms ${request.mechanisms.join(', ') || '(none)'}, and only ${SCRAM_SHA_256} is supported`);
            }
            scram = new ScramClient(password());
            pump.send(saslInitialResponse(SCRAM_SHA_256, scram.clientFirst()));
            break;
          case 'sasl-continue':
            if (!scram) throw new UpstreamError('the upstream sent AuthenticationSASLContinue outside a SASL exchange');
            pump.send(saslResponse(await scram.clientFinal(request.data)));
            break;
          case 'sasl-final':
            if (!scram) throw new UpstreamError('the upstream sent AuthenticationSASLFinal outside a SASL exchange');
            scram.verifyServerFinal(request.data);
            break;
          case 'other':
            throw new UpstreamError(`the upstream asks for ${authMethodName(request.code)} authentication, which is not supported`);
        }
        break;
      }
      case BE.ErrorResponse: {
        const fields = parseErrorFields(frame.body);
        throw new UpstreamError(`the upstream refused the connection: ${fields.message} (${fields.code})`, { fields });
      }
      case BE.NoticeResponse:
        break;
      case BE.ParameterStatus: {
        const { name, value } = parseParameterStatus(frame.body);
        parameters.set(name, value);
        break;
      }
      case BE.BackendKeyData: {
        const key = parseBackendKeyData(frame.body);
        // A copy: the key lives as long as the connection, the chunk it came in need not.
        backendKey = { pid: key.pid, secret: Buffer.from(key.secret) };
        break;
      }
      case BE.NegotiateProtocolVersion:
        // The server speaks an older minor version (or refuses our _pq_ options, which we send none of).
        protocolMinor = Math.min(protocolMinor, parseNegotiateProtocolVersion(frame.body).newestMinor);
        break;
      case BE.ReadyForQuery: {
        if (!backendKey) throw new UpstreamError('the upstream finished startup without BackendKeyData, so its queries could not be cancelled');
        const remainder = pump.detach();
        // The handed-over socket reports its errors to its new owner. Under TLS the plain
        // socket keeps the no-op: its failures surface on the TLS socket as well.
        socket.off('error', noop);
        return { socket, parameters, backendKey, remainder, tls, protocolMinor };
      }
      default:
        throw new UpstreamError(`the upstream sent message type 0x${frame.type.toString(16)} during startup`);
    }
  }
}

/** TCP to the target. Every socket goes into `sockets` so a failure or timeout can destroy it. */
function openSocket(target: Pick<UpstreamTarget, 'host' | 'port'>, peer: string, sockets: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: target.host, port: target.port });
    sockets.push(socket);
    // Errors after the dial gave up (timeout) must not crash the process; the dial reports its own.
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

/** "SSL Session Encryption": SSLRequest, one byte of answer, then the TLS handshake on 'S'. */
async function negotiateTls(raw: Socket, target: UpstreamTarget, peer: string, sockets: Socket[]): Promise<TLSSocket | null> {
  raw.write(sslRequest());
  const { answer, extra } = await readAnswer(raw, peer);
  // Bytes after the answer came unencrypted and would be read as if from the TLS session
  // (CVE-2021-23222); the section says the frontend must not accept them.
  if (extra.length > 0) throw new UpstreamError(`${peer} sent unexpected data after its answer to SSLRequest`);
  if (answer === S) return startTls(raw, target, peer, sockets);
  if (answer === N) {
    if (target.tls === 'prefer') return null;
    throw new UpstreamError(`${peer} does not accept TLS (it answered N to SSLRequest), and the connection requires it (tls: ${target.tls})`);
  }
  if (answer === E) throw new UpstreamError(`${peer} answered SSLRequest with an error: it does not speak this protocol version`);
  throw new UpstreamError(`${peer} answered SSLRequest with byte 0x${answer.toString(16)}, not S or N`);
}

function readAnswer(socket: Socket, peer: string): Promise<{ answer: number; extra: Buffer }> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.pause();
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      resolve({ answer: chunk[0]!, extra: chunk.subarray(1) });
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new UpstreamError(`the connection to ${peer} failed: ${err.message}`, { cause: err }));
    };
    const onClose = () => {
      cleanup();
      reject(new UpstreamError(`${peer} closed the connection after SSLRequest`));
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

function startTls(raw: Socket, target: UpstreamTarget, peer: string, sockets: Socket[]): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const options: ConnectionOptions = {
      socket: raw,
      host: target.host, // the name node:tls checks the certificate against when there is no servername
      rejectUnauthorized: target.tls === 'verify-full',
      ALPNProtocols: ['postgresql'], // the protocol name PostgreSQL 17+ registers for ALPN
    };
    if (isIP(target.host) === 0) options.servername = target.host; // SNI takes names, never addresses
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

/**
 * Sends a CancelRequest ("Canceling Requests in Progress") on a new plain connection and
 * waits until the server closes it, which it does once the request is handled. There is
 * never an answer: whether anything was cancelled shows on the original connection.
 */
export async function cancelUpstream(
  target: Pick<UpstreamTarget, 'host' | 'port' | 'connectTimeoutMs'>,
  key: { pid: number; secret: Buffer },
): Promise<void> {
  const peer = `${target.host}:${target.port}`;
  const timeoutMs = target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError(`cancelling on ${peer} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const send = async () => {
    const socket = await openSocket(target, peer, sockets);
    await new Promise<void>((resolve, reject) => {
      let sent = false;
      socket.once('error', (err) => (sent ? resolve() : reject(new UpstreamError(`cancelling on ${peer} failed: ${err.message}`, { cause: err }))));
      socket.once('close', () => resolve());
      socket.end(cancelRequest(key.pid, key.secret), () => (sent = true));
    });
  };
  try {
    await Promise.race([send(), timeout]);
  } catch (err) {
    throw asUpstreamError(err, peer);
  } finally {
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
  }
}
