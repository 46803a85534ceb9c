import { randomBytes, randomInt } from 'node:crypto';
import type { ControlPlane } from '../../control/plane.js';
import { upstreamPassword } from '../../control/connections.js';
import { newId } from '../../identity/model.js';
import type { FailureThrottle } from '../../api/throttle.js';
import { actorOf, contextOf, targetOf, type SessionIdentity } from '../audit.js';
import { SessionPolicy } from '../session-policy.js';
import {
  authenticationOk,
  backendKeyData,
  negotiateProtocolVersion,
  noticeResponse,
  parameterStatus,
  readyForQuery,
} from './codec/index.js';
import type { StartupChannel } from './channel.js';
import { authenticate } from './auth.js';
import { LoginFailure, recordLoginFailure, type Authenticated, type LoginAttempt } from '../login-failure.js';
import { loginFailed, PgFatal } from './errors.js';
import { splitStartupParams, wantsReplication } from './startup-params.js';
import { connectUpstream, type UpstreamConnection } from './upstream.js';

export interface LoginDeps {
  cp: ControlPlane;
  throttle: FailureThrottle;
}

export interface LoggedIn {
  identity: SessionIdentity;
  policy: SessionPolicy;
  upstream: UpstreamConnection;
  upstreamTarget: { host: string; port: number };
  /** The cancel key the client was given (our own: the upstream's never leaves the gateway). */
  key: { pid: number; secret: Buffer };
}

/**
 * From StartupMessage to ReadyForQuery: authenticates the user, resolves the connection named
 * by the database, records the login, dials the upstream with the connection's own credentials
 * and greets the client. Every failure is recorded and ends in a FATAL the caller sends.
 */
export async function login(
  channel: StartupChannel,
  start: { params: Map<string, string>; tls: boolean; minor: number; protocolOptions: string[] },
  client: { address: string; port: number },
  deps: LoginDeps,
): Promise<LoggedIn> {
  const { cp, throttle } = deps;
  const user = start.params.get('user');
  if (!user) throw new PgFatal('28000', 'no user name specified in the startup packet');
  const database = start.params.get('database') || user;
  if (wantsReplication(start.params)) throw new PgFatal('28000', 'replication connections are not supported through Gatehouse');
  // Protocol 3.2 and _pq_ options are declined: the session speaks 3.0 (docs, NegotiateProtocolVersion).
  if (start.minor > 0 || start.protocolOptions.length > 0) channel.send(negotiateProtocolVersion(0, start.protocolOptions));

  const attempt: LoginAttempt = { engine: 'postgres', user, database, client, tls: start.tls };
  if (throttle.blockedFor(client.address) > 0) {
    await recordLoginFailure(cp, attempt, new LoginFailure('throttled', 'too many failed logins from this address'));
    throw loginFailed(user);
  }
  let authenticated: Authenticated;
  try {
    authenticated = await authenticate(channel, cp, user);
  } catch (error) {
    if (!(error instanceof LoginFailure)) throw error;
    throttle.fail(client.address);
    await recordLoginFailure(cp, attempt, error);
    throw loginFailed(user);
  }
  const { principal } = authenticated;
  const connection = await cp.connections.get(database);
  if (!connection || connection.engine !== 'postgres') {
    await recordLoginFailure(cp, attempt, new LoginFailure('unknown_connection', `there is no postgres connection "${database}"`, principal));
    throw new PgFatal('3D000', `connection "${database}" does not exist`, undefined, 'the database name is the name of a Gatehouse connection');
  }
  const params = splitStartupParams(start.params);
  const identity: SessionIdentity = {
    sessionId: newId('ses'),
    principal: { id: principal.id, name: principal.name, kind: principal.kind },
    connection: { id: connection.id, name: connection.name, engine: 'postgres' },
    client,
    application: params.passed.application_name ?? null,
  };
  await cp.ledger.append({
    actor: actorOf(identity),
    action: 'auth.login',
    target: targetOf(identity),
    outcome: { status: 'ok', via: authenticated.via, ...(authenticated.tokenId ? { token: authenticated.tokenId } : {}) },
    context: contextOf(identity, { tls: start.tls, ...(params.dropped.length > 0 ? { dropped_parameters: params.dropped } : {}) }),
  });
  const policy = new SessionPolicy(cp, principal.id, connection.name, 'postgres');
  await policy.refresh();

  const target = {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.username,
    password: await upstreamPassword(cp, connection.name),
    tls: connection.tls_mode,
    params: params.passed,
  };
  let upstream: UpstreamConnection;
  try {
    upstream = await connectUpstream(target);
  } catch (error) {
    const message = (error as Error).message;
    await cp.ledger
      .append({ actor: actorOf(identity), action: 'db.session.failed', target: targetOf(identity), outcome: { status: 'failed', error: message }, context: contextOf(identity) })
      .catch(() => undefined);
    throw new PgFatal('08006', `could not reach the database of connection "${connection.name}"`, message);
  }

  const key = { pid: randomInt(1, 2 ** 31 - 1), secret: randomBytes(4) };
  const greeting = [authenticationOk()];
  for (const [name, value] of upstream.parameters) greeting.push(parameterStatus(name, value));
  greeting.push(backendKeyData(key.pid, key.secret));
  if (params.dropped.length > 0) {
    greeting.push(
      noticeResponse({
        severity: 'NOTICE',
        code: '01000',
        message: `Gatehouse did not pass these startup parameters to the database: ${params.dropped.join(', ')}`,
        detail: 'Only presentation settings pass at startup; set others with SET, where a grant allows it.',
      }),
    );
  }
  greeting.push(readyForQuery('I'));
  channel.send(...greeting);
  return { identity, policy, upstream, upstreamTarget: { host: target.host, port: target.port }, key };
}
