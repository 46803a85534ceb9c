import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ControlPlane } from '../../control/plane.js';
import { FailureThrottle } from '../../api/throttle.js';
import { initSql } from '../../sql/index.js';
import type { AuditMode, Gateway } from '../engine.js';
import type { SessionRegistry } from '../sessions.js';
import { OutcomeRecorder } from '../outcome-recorder.js';
import { listenOn, loginErrorMessage, recordSessionEnd } from '../listener.js';
import { ClientGoneError } from '../errors.js';
import { DEFAULT_MAX_PACKET_BYTES, encodePacket, ProtocolError } from './codec/index.js';
import { errPacket, MysqlRefusal } from './errors.js';
import { LoginError, mysqlLogin, type MysqlLoggedIn } from './login.js';
import { mysqlChangeUser, type ChangeUserHandover } from './change-user.js';
import { MysqlSession } from './session.js';

/** How long a client has to log in (MySQL's connect_timeout is 10 s), and the largest packet it may send meanwhile. */
const loginTimeoutMs = (options: MysqlGatewayOptions) => options.authTimeoutMs ?? 10_000;
const LOGIN_MAX_PACKET_BYTES = 1024 * 1024;

export interface MysqlGatewayOptions {
  cp: ControlPlane;
  sessions: SessionRegistry;
  /** The same certificate as the PostgreSQL listener: offered as CLIENT_SSL. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  requireTls?: boolean;
  auditMode?: AuditMode;
  onLog?: (line: Record<string, unknown>) => void;
  /** How long a client has to finish its login (MySQL's connect_timeout is 10 s). */
  authTimeoutMs?: number;
  /** The largest logical packet a client may send (MySQL's max_allowed_packet: 64 MiB). */
  maxPacketBytes?: number;
  throttle?: FailureThrottle;
}

/** The MySQL/MariaDB gateway: listens, logs clients in, and runs a session per client. */
export function createMysqlGateway(options: MysqlGatewayOptions): Gateway {
  return new MysqlGateway(options);
}

class MysqlGateway implements Gateway {
  readonly engine = 'mysql' as const;
  private server: Server | undefined;
  private readonly secureContext: SecureContext | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly live = new Map<string, MysqlSession>();
  private readonly outcomes: OutcomeRecorder;
  private readonly throttle: FailureThrottle;
  private readonly records = new Set<Promise<unknown>>();
  private closing = false;
  private nextConnectionId = 1;

  constructor(private readonly options: MysqlGatewayOptions) {
    this.secureContext = options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : undefined;
    this.throttle = options.throttle ?? new FailureThrottle();
    this.outcomes = new OutcomeRecorder(options.cp.ledger, (e) => this.log({ level: 'error', event: 'outcome_record_failed', error: e.message }));
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await initSql();
    const server = createServer({ noDelay: true }, (socket) => void this.accept(socket));
    this.server = server;
    return listenOn(server, host, port);
  }

  async close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const session of [...this.live.values()]) session.terminate('the gateway is shutting down');
    for (const socket of this.sockets) socket.destroy();
    await stopped;
    await Promise.allSettled([...this.records]);
    await this.outcomes.flush();
  }

  /** Lines with `level: 'error'` are the gateway's own failures, which serve logs even without --log. */
  private log(line: Record<string, unknown>): void {
    this.options.onLog?.({ gateway: 'mysql', ...line });
  }

  private accept(raw: Socket): Promise<void> {
    if (this.closing) return Promise.resolve(void raw.destroy());
    this.sockets.add(raw);
    raw.once('close', () => this.sockets.delete(raw));
    raw.on('error', () => undefined); // a reset before the session takes over needs no answer
    const client = { address: raw.remoteAddress ?? 'unknown', port: raw.remotePort ?? 0 };
    return this.admit(raw, client, () =>
      mysqlLogin(raw, client, {
        cp: this.options.cp,
        throttle: this.throttle,
        ...(this.secureContext ? { secureContext: this.secureContext } : {}),
        requireTls: this.options.requireTls ?? false,
        timeoutMs: loginTimeoutMs(this.options),
        maxPacketBytes: LOGIN_MAX_PACKET_BYTES,
        connectionId: this.nextConnectionId++ % 2 ** 32,
      }),
    );
  }

  /** COM_CHANGE_USER: the ended session's client logs in again (change-user.ts), and a new session starts. */
  private changeUser(handover: ChangeUserHandover): void {
    const options = { cp: this.options.cp, throttle: this.throttle, timeoutMs: loginTimeoutMs(this.options), maxPacketBytes: LOGIN_MAX_PACKET_BYTES };
    void this.admit(handover.socket, handover.previous.client, () => mysqlChangeUser(handover, options));
  }

  /** Runs a login (or change of user) and starts the session, or refuses the client with the reason. */
  private async admit(socket: Socket, client: { address: string; port: number }, login: () => Promise<MysqlLoggedIn>): Promise<void> {
    let sequence = 1;
    try {
      const loggedIn = await login();
      socket = loggedIn.channel.socket;
      const remainder = loggedIn.channel.detach();
      if (this.closing) {
        loggedIn.upstream.socket.destroy();
        throw new MysqlRefusal('shutdown', 'the gateway is shutting down');
      }
      const session = new MysqlSession(loggedIn, {
        ledger: this.options.cp.ledger,
        auditMode: this.options.auditMode ?? 'strict',
        outcomes: this.outcomes,
        maxPacketBytes: this.options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
        onEnd: (s, reason) => this.ended(s, reason),
        onChangeUser: (handover) => this.changeUser(handover),
        onKillFailed: (error) => this.log({ level: 'error', event: 'kill_query_failed', session: loggedIn.identity.sessionId, error: error.message }),
        sessionByConnectionId: (id) => [...this.live.values()].find((s) => s.connectionId === id),
      });
      const { identity } = loggedIn;
      this.live.set(identity.sessionId, session);
      this.options.sessions.add(identity.sessionId, session);
      this.log({ event: 'session_start', session: identity.sessionId, user: identity.principal.name, connection: identity.connection.name });
      session.start(remainder);
    } catch (error) {
      if (error instanceof LoginError) {
        ({ socket, sequence } = error);
        return this.refuse(socket, error.reason, client, sequence);
      }
      this.refuse(socket, error as Error, client, sequence);
    }
  }

  private refuse(socket: Socket, error: Error, client: { address: string; port: number }, sequence: number): void {
    if (error instanceof ClientGoneError) return void socket.destroy();
    let packet: Buffer;
    if (error instanceof MysqlRefusal) packet = errPacket(error.error, error.message);
    else if (error instanceof ProtocolError) packet = errPacket('handshake', error.message);
    else {
      this.log({ level: 'error', event: 'login_error', client: `${client.address}:${client.port}`, error: error.message });
      packet = errPacket('unknown', loginErrorMessage(error).message);
    }
    if (socket.writable) socket.end(encodePacket(sequence & 0xff, packet));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private ended(session: MysqlSession, reason: string): void {
    const { identity } = session;
    this.live.delete(identity.sessionId);
    this.options.sessions.remove(identity.sessionId);
    const { statements, denied, startedAt } = session.stats;
    this.log({ event: 'session_end', session: identity.sessionId, reason });
    const record = recordSessionEnd(this.options.cp, identity, { reason, statements, denied, startedAt }, (e) =>
      this.log({ level: 'error', event: 'session_end_record_failed', error: e.message }),
    ).finally(() => this.records.delete(record));
    this.records.add(record);
  }
}
