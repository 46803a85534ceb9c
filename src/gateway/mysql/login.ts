import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { ControlPlane } from '../../control/plane.js';
import type { FailureThrottle } from '../../api/throttle.js';
import { LoginFailure, recordLoginFailure, type LoginAttempt } from '../login-failure.js';
import { acceptTls } from '../tls-accept.js';
import {
  CHARSET,
  CLIENT_CONNECT_ATTRS,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_DEPRECATE_EOF,
  CLIENT_FOUND_ROWS,
  CLIENT_IGNORE_SIGPIPE,
  CLIENT_INTERACTIVE,
  CLIENT_LOCAL_FILES,
  CLIENT_LONG_FLAG,
  CLIENT_LONG_PASSWORD,
  CLIENT_MULTI_RESULTS,
  CLIENT_MULTI_STATEMENTS,
  CLIENT_MYSQL,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_PS_MULTI_RESULTS,
  CLIENT_SECURE_CONNECTION,
  CLIENT_SSL,
  CLIENT_TRANSACTIONS,
  decodeHandshakeResponse41,
  encodeHandshakeV10,
  hasCaps,
  intersectCaps,
  isSslRequest,
  ProtocolError,
  SERVER_STATUS_AUTOCOMMIT,
  unionCaps,
} from './codec/index.js';
import { admit, type Admitted } from './admit.js';
import { CACHING_SHA2_PASSWORD, newScramble } from './auth.js';
import { MysqlChannel } from './channel.js';
import { MysqlRefusal } from './errors.js';

/**
 * What the gateway offers clients. Not offered: compression (the relay does not implement it),
 * CLIENT_SESSION_TRACK and CLIENT_QUERY_ATTRIBUTES (not every upstream has them, and the
 * client's and the upstream's packet formats must match exactly), and MariaDB's extended
 * capabilities (CLIENT_MYSQL set: the gateway speaks the common protocol to both servers).
 */
const OFFERED = unionCaps(
  CLIENT_MYSQL,
  CLIENT_FOUND_ROWS,
  CLIENT_LONG_FLAG,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_LOCAL_FILES,
  CLIENT_PROTOCOL_41,
  CLIENT_INTERACTIVE,
  CLIENT_IGNORE_SIGPIPE,
  CLIENT_TRANSACTIONS,
  CLIENT_SECURE_CONNECTION,
  CLIENT_MULTI_STATEMENTS,
  CLIENT_MULTI_RESULTS,
  CLIENT_PS_MULTI_RESULTS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_CONNECT_ATTRS,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_DEPRECATE_EOF,
);

/** The version clients see: a MySQL 8.0 protocol level, and who is answering. */
export const GATEWAY_SERVER_VERSION = '8.0.36-Gatehouse';

export interface MysqlLoginOptions {
  cp: ControlPlane;
  throttle: FailureThrottle;
  secureContext?: SecureContext;
  requireTls: boolean;
  timeoutMs: number;
  maxPacketBytes: number;
  /** The id the greeting announces (the client may show it; KILL through the gateway is refused). */
  connectionId: number;
}

/** A client let in (by a login or a COM_CHANGE_USER): what its session starts from. */
export interface MysqlLoggedIn extends Admitted {
  channel: MysqlChannel;
  tls: boolean;
  /** The capabilities in force between the client and the gateway (and, for the format bits, the upstream). */
  capabilities: number;
  /** The scramble of the greeting: a COM_CHANGE_USER's auth response is computed with it. */
  scramble: Buffer;
  /** The collation id the client asked for (the upstream was dialled with it). */
  characterSet: number;
  /** The connection id the greeting gave the client (it names it in KILL QUERY). */
  connectionId: number;
}

/**
 * The connection phase ("Connection Phase"): greeting, optional TLS, the client's
 * HandshakeResponse41, authentication as a Gatehouse principal, the connection named by the
 * database, the login's ledger record, the upstream dialled with the connection's own
 * credentials, and the OK. Every failure is recorded and ends in a MysqlRefusal for the client.
 */
export async function mysqlLogin(raw: Socket, client: { address: string; port: number }, options: MysqlLoginOptions): Promise<MysqlLoggedIn> {
  const channel = new MysqlChannel(raw, options.timeoutMs, options.maxPacketBytes);
  try {
    return await connectionPhase(channel, raw, client, options);
  } catch (error) {
    throw new LoginError(error as Error, channel.socket, channel.nextSequence);
  }
}

/** A failed login, with where the client is in the exchange: its socket (TLS or not) and the sequence id an ERR must carry. */
export class LoginError extends Error {
  constructor(
    readonly reason: Error,
    readonly socket: Socket,
    readonly sequence: number,
  ) {
    super(reason.message);
  }
}

async function connectionPhase(
  channel: MysqlChannel,
  raw: Socket,
  client: { address: string; port: number },
  options: MysqlLoginOptions,
): Promise<MysqlLoggedIn> {
  const { cp, throttle } = options;
  const scramble = newScramble();
  const offered = options.secureContext ? unionCaps(OFFERED, CLIENT_SSL) : OFFERED;
  channel.sendFirst(
    encodeHandshakeV10({
      serverVersion: GATEWAY_SERVER_VERSION,
      connectionId: options.connectionId,
      scramble,
      capabilities: offered,
      characterSet: CHARSET.UTF8MB4_GENERAL_CI,
      status: SERVER_STATUS_AUTOCOMMIT,
      authPluginName: CACHING_SHA2_PASSWORD,
    }),
  );
  let packet = await channel.next();
  let tls = false;
  if (isSslRequest(packet.payload)) {
    if (!options.secureContext) throw new ProtocolError('the client asked for TLS, which this gateway did not offer', 1043, '08S01');
    // The server does not answer an SSLRequest: the client starts its TLS handshake at once
    // ("Protocol::SSLRequest"), and its ClientHello may arrive with it. What the channel read
    // beyond the SSLRequest goes back to the socket, so the TLS layer reads it first (as TLS
    // records: nothing sent in clear can pass for data sent under TLS).
    const early = channel.detach();
    if (early.length > 0) raw.unshift(early);
    const secure = await acceptTls(raw, options.secureContext, options.timeoutMs).catch((error: Error) => {
      throw new ProtocolError(error.message, 1043, '08S01');
    });
    channel.switchTo(secure);
    tls = true;
    packet = await channel.next();
  }
  const response = decodeHandshakeResponse41(packet.payload);
  const capabilities = intersectCaps(response.capabilities, offered);
  const database = response.database ?? '';
  if (options.requireTls && !tls) {
    const attempt: LoginAttempt = { engine: 'mysql', user: response.username, database, client, tls };
    await recordLoginFailure(cp, attempt, new LoginFailure('tls_required', 'the client did not use TLS'));
    throw new MysqlRefusal('secureTransportRequired', 'Connections using insecure transport are prohibited: this gateway accepts only TLS connections');
  }
  if (!hasCaps(capabilities, CLIENT_PROTOCOL_41)) throw new ProtocolError('the client does not speak the 4.1 protocol', 1043, '08S01');
  const admitted = await admit(channel, { ...response, database }, { cp, throttle, client, tls, capabilities, scramble });
  return { channel, ...admitted, tls, capabilities, scramble, characterSet: response.characterSet, connectionId: options.connectionId };
}
