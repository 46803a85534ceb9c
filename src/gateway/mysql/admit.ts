import { killQuery } from './kill-query.js';
import type { ControlPlane } from '../../control/plane.js';
import { upstreamPassword } from '../../control/connections.js';
import { newId } from '../../identity/model.js';
import type { FailureThrottle } from '../../api/throttle.js';
import { actorOf, contextOf, targetOf, type SessionIdentity } from '../audit.js';
import { SessionPolicy } from '../session-policy.js';
import { LoginFailure, recordLoginFailure, type Authenticated, type LoginAttempt } from '../login-failure.js';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_FOUND_ROWS,
  CLIENT_LOCAL_FILES,
  CLIENT_MULTI_RESULTS,
  CLIENT_MULTI_STATEMENTS,
  CLIENT_PS_MULTI_RESULTS,
  encodeOk,
  hasCaps,
  type HandshakeResponse41,
} from './codec/index.js';
import { authenticate } from './auth.js';
import type { MysqlChannel } from './channel.js';
import { accessDenied, MysqlRefusal } from './errors.js';
import { connectUpstream, type UpstreamConnection } from './upstream.js';

/** Capabilities that change the shape of packets: the client's and the upstream's must agree on each. */
const FORMAT_CAPS = [
  ['CLIENT_DEPRECATE_EOF', CLIENT_DEPRECATE_EOF],
  ['CLIENT_MULTI_RESULTS', CLIENT_MULTI_RESULTS],
  ['CLIENT_PS_MULTI_RESULTS', CLIENT_PS_MULTI_RESULTS],
  ['CLIENT_MULTI_STATEMENTS', CLIENT_MULTI_STATEMENTS],
  ['CLIENT_FOUND_ROWS', CLIENT_FOUND_ROWS],
  ['CLIENT_LOCAL_FILES', CLIENT_LOCAL_FILES],
] as const;

/** Who asks to be let in, and where to: from a HandshakeResponse41 or a COM_CHANGE_USER. */
export interface AdmitRequest extends Pick<HandshakeResponse41, 'username' | 'authResponse' | 'authPluginName' | 'attributes'> {
  /** The name of a Gatehouse connection. */
  database: string;
  /** The collation id the upstream is dialled with. */
  characterSet: number;
}

export interface AdmitContext {
  cp: ControlPlane;
  throttle: FailureThrottle;
  client: { address: string; port: number };
  tls: boolean;
  /** The capabilities in force between the client and the gateway. */
  capabilities: number;
  /** The scramble the client's first auth response was computed with (the greeting's). */
  scramble: Buffer;
  /** COM_CHANGE_USER: see authenticate(). */
  switchOnMiss?: boolean;
  /** The application when the request's attributes name none (COM_CHANGE_USER keeps the session's). */
  application?: string | null;
  /** COM_CHANGE_USER: the session this one follows, named in the login's records. */
  previousSession?: string;
}

export interface Admitted {
  identity: SessionIdentity;
  policy: SessionPolicy;
  upstream: UpstreamConnection;
  /** Stops the statement the upstream connection is running (kill-query.ts). */
  killRunning(): Promise<void>;
}

/**
 * What a login and a COM_CHANGE_USER have in common: the throttle, authentication as a
 * Gatehouse principal (one uniform 1045 for every failure, the true reason in the ledger's
 * `auth.login_failed`), the connection the database names (1046, 1049), `auth.login`, the
 * session's policy, the upstream dialled with the connection's own credentials, and the OK.
 */
export async function admit(channel: MysqlChannel, request: AdmitRequest, ctx: AdmitContext): Promise<Admitted> {
  const { cp, throttle, client, tls } = ctx;
  const user = request.username;
  const database = request.database;
  const attempt: LoginAttempt = { engine: 'mysql', user, database, client, tls, ...(ctx.previousSession ? { previousSession: ctx.previousSession } : {}) };
  if (throttle.blockedFor(client.address) > 0) {
    await recordLoginFailure(cp, attempt, new LoginFailure('throttled', 'too many failed logins from this address'));
    throw accessDenied(user, client.address);
  }
  let authenticated: Authenticated;
  try {
    authenticated = await authenticate(channel, cp, request, ctx.scramble, tls, { switchOnMiss: ctx.switchOnMiss ?? false });
  } catch (error) {
    if (!(error instanceof LoginFailure)) throw error;
    throttle.fail(client.address);
    await recordLoginFailure(cp, attempt, error);
    throw accessDenied(user, client.address);
  }
  const { principal } = authenticated;
  if (!database) {
    await recordLoginFailure(cp, attempt, new LoginFailure('unknown_connection', 'the client named no connection', principal));
    throw new MysqlRefusal('noDb', 'No database selected: connect with the name of a Gatehouse connection as the database');
  }
  const connection = await cp.connections.get(database);
  if (!connection || connection.engine !== 'mysql') {
    await recordLoginFailure(cp, attempt, new LoginFailure('unknown_connection', `there is no mysql connection "${database}"`, principal));
    throw new MysqlRefusal('badDb', `Unknown database '${database}': the database name is the name of a Gatehouse connection`);
  }
  // The program's name where the client gives one (the mysql client does), else its driver's
  // (mysql2: Node-MySQL-2); a change of user without attributes keeps the session's.
  const attributes = request.attributes;
  const application = attributes?.get('program_name') ?? attributes?.get('_client_name') ?? ctx.application ?? null;
  const identity: SessionIdentity = {
    sessionId: newId('ses'),
    principal: { id: principal.id, name: principal.name, kind: principal.kind },
    connection: { id: connection.id, name: connection.name, engine: 'mysql' },
    client,
    application,
  };
  await cp.ledger.append({
    actor: actorOf(identity),
    action: 'auth.login',
    target: targetOf(identity),
    outcome: { status: 'ok', via: authenticated.via, ...(authenticated.tokenId ? { token: authenticated.tokenId } : {}) },
    context: contextOf(identity, { tls, ...(ctx.previousSession ? { previous_session: ctx.previousSession } : {}) }),
  });
  const upstreamDatabase = connection.database || null;
  const policy = new SessionPolicy(cp, principal.id, connection.name, 'mysql', undefined, upstreamDatabase ?? undefined);
  await policy.refresh();

  const account = {
    host: connection.host,
    port: connection.port,
    user: connection.username,
    password: await upstreamPassword(cp, connection.name),
    tls: connection.tls_mode,
  };
  let upstream: UpstreamConnection;
  try {
    upstream = await connectUpstream({
      ...account,
      database: upstreamDatabase,
      clientCapabilities: ctx.capabilities,
      characterSet: request.characterSet,
      attributes: { _client_name: 'gatehouse', ...(application ? { program_name: application } : {}) },
    });
    const mismatch = FORMAT_CAPS.filter(([, flag]) => hasCaps(ctx.capabilities, flag) !== hasCaps(upstream.capabilities, flag)).map(([name]) => name);
    if (mismatch.length > 0) {
      upstream.socket.destroy();
      throw new Error(`the upstream server does not agree to ${mismatch.join(', ')}, which the client uses`);
    }
  } catch (error) {
    const message = (error as Error).message;
    await cp.ledger
      .append({ actor: actorOf(identity), action: 'db.session.failed', target: targetOf(identity), outcome: { status: 'failed', error: message }, context: contextOf(identity) })
      .catch(() => undefined);
    throw new MysqlRefusal('handshake', `Gatehouse could not reach the database of connection "${connection.name}": ${message}`);
  }
  channel.send(encodeOk({ status: upstream.status }, ctx.capabilities));
  const threadId = upstream.connectionId;
  return { identity, policy, upstream, killRunning: () => killQuery(account, threadId) };
}
