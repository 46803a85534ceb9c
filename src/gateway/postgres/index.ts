import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import type { ControlPlane } from '../../control/plane.js';
import { FailureThrottle } from '../../api/throttle.js';
import { initSql } from '../../sql/index.js';
import type { AuditMode, Gateway } from '../engine.js';
import type { SessionRegistry } from '../sessions.js';
import { OutcomeRecorder } from '../outcome-recorder.js';
import { listenOn, loginErrorMessage, recordSessionEnd } from '../listener.js';
import { errorResponse, ProtocolError } from './codec/index.js';
import { ClientGoneError } from './channel.js';
import { fatalFields, PgFatal } from './errors.js';
import { login } from './login.js';
import { PostgresSession } from './session.js';
import { negotiateStartup } from './startup.js';
import { cancelUpstream } from './upstream.js';

export interface PostgresGatewayOptions {
  cp: ControlPlane;
  sessions: SessionRegistry;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Refuse clients that do not ask for TLS. */
  requireTls?: boolean;
  auditMode?: AuditMode;
  onLog?: (line: Record<string, unknown>) => void;
  /** How long a client has to finish its startup and authentication (PostgreSQL: 1 min). */
  authTimeoutMs?: number;
  /** The largest message a client may send; larger ones end its connection (54000). */
  maxMessageBytes?: number;
  throttle?: FailureThrottle;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

interface CancelTarget {
  secret: Buffer;
  upstream: { host: string; port: number };
  upstreamKey: { pid: number; secret: Buffer };
}

/** The PostgreSQL gateway: listens, logs clients in, and runs a session per client. */
export function createPostgresGateway(options: PostgresGatewayOptions): Gateway {
  return new PostgresGateway(options);
}

class PostgresGateway implements Gateway {
  readonly engine = 'postgres' as const;
  private server: Server | undefined;
  private readonly secureContext: SecureContext | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly live = new Map<string, PostgresSession>();
  private readonly cancelKeys = new Map<number, CancelTarget>();
  private readonly outcomes: OutcomeRecorder;
  private readonly throttle: FailureThrottle;
  private closing = false;
  private readonly records = new Set<Promise<unknown>>();

  constructor(private readonly options: PostgresGatewayOptions) {
    this.secureContext = options.tls ? createSecureContext({ key: options.tls.key, cert: options.tls.cert }) : undefined;
    this.throttle = options.throttle ?? new FailureThrottle();
    this.outcomes = new OutcomeRecorder(options.cp.ledger, (e) => this.log({ level: 'error', event: 'outcome_record_failed', error: e.message }));
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    await initSql();
    const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => void this.accept(socket));
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
    this.options.onLog?.({ gateway: 'postgres', ...line });
  }

  private async accept(raw: Socket): Promise<void> {
    if (this.closing) return void raw.destroy();
    this.sockets.add(raw);
    raw.once('close', () => this.sockets.delete(raw));
    raw.on('error', () => undefined); // a reset before the session takes over needs no answer
    const client = { address: raw.remoteAddress ?? 'unknown', port: raw.remotePort ?? 0 };
    let current: Socket = raw;
    try {
      const start = await negotiateStartup(raw, {
        ...(this.secureContext ? { secureContext: this.secureContext } : {}),
        requireTls: this.options.requireTls ?? false,
        timeoutMs: this.options.authTimeoutMs ?? 60_000,
        maxMessageBytes: 10_000,
      });
      if (start.kind === 'cancel') {
        raw.end();
        return this.cancel(start.pid, start.secret);
      }
      current = start.channel.socket;
      const { cp } = this.options;
      const session = await login(start.channel, start, client, { cp, throttle: this.throttle });
      const remainder = start.channel.detach();
      if (this.closing) throw new PgFatal('57P01', 'the gateway is shutting down');
      const postgres = new PostgresSession(session.identity, current, session.upstream, session.policy, start.tls, {
        cp,
        ledger: cp.ledger,
        auditMode: this.options.auditMode ?? 'strict',
        outcomes: this.outcomes,
        maxMessageBytes: this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
        onEnd: (s, reason) => this.ended(s, session.key.pid, reason),
        cancelUpstream: () => this.cancelRunning(session.upstreamTarget, session.upstream.backendKey),
      });
      const id = session.identity.sessionId;
      this.live.set(id, postgres);
      this.options.sessions.add(id, postgres);
      this.cancelKeys.set(session.key.pid, { secret: session.key.secret, upstream: session.upstreamTarget, upstreamKey: session.upstream.backendKey });
      this.log({ event: 'session_start', session: id, user: session.identity.principal.name, connection: session.identity.connection.name });
      postgres.start(remainder);
    } catch (error) {
      this.refuse(current, error as Error, client);
    }
  }

  private refuse(socket: Socket, error: Error, client: { address: string; port: number }): void {
    if (error instanceof ClientGoneError) return void socket.destroy();
    let fields;
    if (error instanceof PgFatal) fields = fatalFields(error.sqlstate, error.message, error.detail, error.hint);
    else if (error instanceof ProtocolError) fields = fatalFields(error.sqlstate, error.message);
    else {
      this.log({ level: 'error', event: 'login_error', client: `${client.address}:${client.port}`, error: error.message });
      const { unavailable, message } = loginErrorMessage(error);
      // 58000 system_error: the gateway's own trouble, as a statement refused for the ledger gets.
      fields = fatalFields(unavailable ? '58000' : 'XX000', message);
    }
    if (socket.writable) socket.end(errorResponse(fields));
    setTimeout(() => socket.destroy(), 1000).unref();
  }

  private ended(session: PostgresSession, pid: number, reason: string): void {
    const { identity } = session;
    this.live.delete(identity.sessionId);
    this.options.sessions.remove(identity.sessionId);
    this.cancelKeys.delete(pid);
    const { statements, denied, startedAt } = session.stats;
    this.log({ event: 'session_end', session: identity.sessionId, reason });
    const record = recordSessionEnd(this.options.cp, identity, { reason, statements, denied, startedAt }, (e) =>
      this.log({ level: 'error', event: 'session_end_record_failed', error: e.message }),
    ).finally(() => this.records.delete(record));
    this.records.add(record);
  }

  /** CancelRequest (docs, "Canceling Requests in Progress"): forwarded with the upstream's own key. */
  private async cancel(pid: number, secret: Buffer): Promise<void> {
    const target = this.cancelKeys.get(pid);
    if (!target || target.secret.length !== secret.length || !timingSafeEqual(target.secret, secret)) return;
    await this.cancelRunning(target.upstream, target.upstreamKey);
  }

  private async cancelRunning(upstream: CancelTarget['upstream'], key: CancelTarget['upstreamKey']): Promise<void> {
    try {
      await cancelUpstream(upstream, key);
    } catch (error) {
      this.log({ level: 'error', event: 'cancel_failed', error: (error as Error).message });
    }
  }
}
