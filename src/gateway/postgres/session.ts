import type { Socket } from 'node:net';
import type { ControlPlane } from '../../control/plane.js';
import type { Ledger } from '../../ledger/index.js';
import { waitsForLedger, type AuditMode, type LiveSession, type SessionInfo } from '../engine.js';
import type { SessionPolicy, StatementDecision } from '../session-policy.js';
import { commandRefusedEvent, queryEvent, type RecordedParam, type SessionIdentity } from '../audit.js';
import type { OutcomeRecorder } from '../outcome-recorder.js';
import { recordParams } from './params.js';
import {
  errorResponse,
  FE,
  FrameReader,
  parse as encodeParse,
  parseBind,
  parseClose,
  parseExecute,
  parseParse,
  parseQuery,
  ProtocolError,
  query as encodeQuery,
  terminate as encodeTerminate,
  type ErrorFields,
  type Frame,
} from './codec/index.js';
import type { UpstreamConnection } from './upstream.js';
import { ResponseTracker, type Expected, type Recorded } from './responses.js';
import { errorFields, fatalFields } from './errors.js';
import { coalesce } from './coalesce.js';
import { QueryEntryBuilder } from '../query-entry.js';

export interface SessionDeps {
  cp: ControlPlane;
  ledger: Ledger;
  auditMode: AuditMode;
  outcomes: OutcomeRecorder;
  maxMessageBytes: number;
  /** Called once, when both ends are closed. */
  onEnd(session: PostgresSession, reason: string): void;
  /**
   * Cancels what the upstream backend is running (a CancelRequest with its key). Closing the
   * upstream socket alone would not stop it: a backend notices a gone client only when it next
   * writes, so a long statement would run on after its session was terminated.
   */
  cancelUpstream(): Promise<void>;
}

interface PortalState {
  query: string | undefined;
  statementName: string;
  params: RecordedParam[];
  rec?: Recorded;
}

/** A statement whose audit entry must be durable before its bytes go upstream (strict mode). */
interface HeldStatement {
  /** Set once the entry is durable; still false when it failed. */
  ok: boolean;
  bytes: Buffer;
  expected: Expected;
}

// Injected in place of a refused message: the upstream's parser rejects it (42601) before it
// looks at anything else, and the tracker shows the client the denial instead of that error.
const DENIED_TEXT = 'GATEHOUSE DENIED';
const DENIED_QUERY = encodeQuery(DENIED_TEXT);
const DENIED_PARSE = encodeParse({ name: '__gatehouse_denied__', query: DENIED_TEXT, paramTypes: [] });

/** What a waiting session reads from its client before it pauses the socket (1 MiB). */
const WAITING_READ_LIMIT = 1 << 20;

/** The outcome of a statement whose answer never came: the upstream connection closed first. */
const UPSTREAM_GONE = 'the upstream connection closed before the statement was answered';

const LEDGER_DOWN = errorFields(
  '58000',
  'Gatehouse could not record the statement in the audit ledger, so it did not run',
  undefined,
  'try again; if it persists, the gateway operator must check the ledger store',
);

/**
 * One client's session after login: relays messages both ways, deciding and recording every
 * statement on the way in (PostgreSQL docs, "Message Flow"). Messages are handled strictly in
 * order; in strict mode nothing behind a statement is forwarded until that statement's ledger
 * entry is durable, so a pipelined batch costs one group commit, not one per statement.
 */
export class PostgresSession implements LiveSession {
  private readonly clientReader: FrameReader;
  private readonly upstreamReader: FrameReader;
  private readonly tracker: ResponseTracker;
  private readonly entries: QueryEntryBuilder;
  // What the upstream holds under each name, as far as its answers have confirmed, and what
  // is in flight: a Parse or Bind the upstream refuses (a name in use, a syntax error) must not
  // change which text the next Execute is decided on, or a revoked grant could be outrun.
  private readonly statements = new Map<string, string>();
  private readonly pendingStatements = new Map<string, string>();
  private readonly portals = new Map<string, PortalState>();
  private readonly pendingPortals = new Map<string, PortalState>();
  private readonly pauses = new Set<string>();
  private held: (Buffer | HeldStatement)[] = [];
  private upOut: Buffer[] = [];
  /** Held statements whose ledger entries have not settled yet (strict mode). */
  private unsettled = 0;
  /** Whether the session, busy, waits for `unsettled` to reach 0 (and nothing else). */
  private awaitingEntries = false;
  private busy = false;
  private skipUntilSync = false;
  private endAfterRelease = false;
  private ended = false;
  private readonly startedAt = new Date();
  /** Date.now() of the client's last message: a number, as a Date per read would cost an object. */
  private lastActivityMs = this.startedAt.getTime();
  private count = { statements: 0, denied: 0 };

  constructor(
    readonly identity: SessionIdentity,
    private readonly client: Socket,
    private readonly upstream: UpstreamConnection,
    private readonly policy: SessionPolicy,
    private readonly tls: boolean,
    private readonly deps: SessionDeps,
  ) {
    this.clientReader = new FrameReader({ maxMessageBytes: deps.maxMessageBytes });
    this.upstreamReader = new FrameReader();
    this.entries = new QueryEntryBuilder(identity);
    this.tracker = new ResponseTracker((rec, outcome) => deps.outcomes.add(rec.entry, identity.sessionId, outcome));
  }

  /** Starts relaying; `clientBytes` are bytes the client sent after its startup conversation. */
  start(clientBytes: Buffer): void {
    const up = this.upstream.socket;
    this.client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    up.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    this.client.on('drain', () => this.resume(up, 'client-full'));
    up.on('drain', () => this.resumeClient('upstream-full'));
    this.client.on('close', () => this.end('the client disconnected'));
    up.on('close', () => {
      this.tracker.upstreamGone(UPSTREAM_GONE);
      this.end('the upstream closed the connection');
    });
    this.client.on('error', () => this.end('the client connection failed'));
    up.on('error', () => this.end('the upstream connection failed'));
    if (this.upstream.remainder.length > 0) this.onUpstreamData(this.upstream.remainder);
    if (clientBytes.length > 0) this.onClientData(clientBytes);
    this.client.resume();
    up.resume();
  }

  info(): SessionInfo {
    const { principal, connection, client, application, sessionId } = this.identity;
    const status = this.tracker.transactionStatus;
    return {
      id: sessionId,
      engine: 'postgres',
      principal,
      connection: { id: connection.id, name: connection.name },
      client,
      application,
      tls: this.tls,
      state:
        this.tracker.outstanding > 0 || this.busy
          ? 'active'
          : status === 'T'
            ? 'in_transaction'
            : status === 'E'
              ? 'failed_transaction'
              : 'idle',
      started_at: this.startedAt.toISOString(),
      last_activity_at: new Date(this.lastActivityMs).toISOString(),
      statements: this.count.statements,
      denied: this.count.denied,
    };
  }

  terminate(reason: string): void {
    if (this.ended) return;
    const running = this.tracker.outstanding > 0;
    // 57P01 admin_shutdown: what a client sees when a backend is terminated by an administrator.
    this.client.write(errorResponse(fatalFields('57P01', `terminating connection: ${reason}`)));
    this.end(reason);
    if (running) this.deps.cancelUpstream().catch(() => undefined); // the gateway logs a failed cancel
  }

  // ---- client → upstream -------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    this.lastActivityMs = Date.now();
    this.clientReader.push(chunk);
    if (!this.busy) return this.pump();
    // While the session waits, what the client sends next (a pipelined batch) is kept unread
    // in the reader; only past a bound is the socket paused, since a pause and the resume
    // after it cost more than the wait (strict mode waits once per statement).
    if (this.clientReader.buffered > WAITING_READ_LIMIT) this.pauseClient('busy');
  }

  /** Handles every complete client message, in order, pausing whenever it must wait. */
  private pump(): void {
    if (this.busy || this.ended) return;
    try {
      for (;;) {
        if (this.policy.stale) {
          this.wait(this.policy.refresh());
          return;
        }
        const frame = this.clientReader.next();
        if (!frame) break;
        this.handle(frame);
        if (this.ended) return;
      }
      if (this.unsettled > 0) {
        this.busy = true;
        this.awaitingEntries = true;
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.flushUpstream();
    }
  }

  /** Handles no further client message until `promise` settles and every held entry has. */
  private wait(promise: Promise<unknown>): void {
    this.busy = true;
    promise.then(
      () => {
        if (this.unsettled > 0) this.awaitingEntries = true;
        else this.goOn();
      },
      (error: Error) => this.fail(error),
    );
  }

  /** A held statement's entry committed or failed; the last one of a wait ends it. */
  private entrySettled(): void {
    if (--this.unsettled > 0 || !this.awaitingEntries) return;
    this.awaitingEntries = false;
    this.goOn();
  }

  /** The end of a wait: forwards what was held (or its refusal) and handles the messages that came meanwhile. */
  private goOn(): void {
    this.busy = false;
    this.release();
    if (this.pauses.has('busy')) this.resumeClient('busy');
    this.pump();
  }

  private release(): void {
    const held = this.held;
    this.held = [];
    for (const item of held) {
      if (Buffer.isBuffer(item)) this.toUpstream(item);
      else if (item.ok) this.toUpstream(item.bytes);
      else {
        item.expected.denial = LEDGER_DOWN;
        this.toUpstream(item.expected.kind === 'query' ? DENIED_QUERY : DENIED_PARSE);
      }
    }
    this.flushUpstream();
    if (this.endAfterRelease) this.end('the client ended the session');
  }

  private send(bytes: Buffer, expected?: Expected): void {
    if (expected) this.tracker.expect(expected);
    if (this.held.length > 0) this.held.push(bytes);
    else this.toUpstream(bytes);
  }

  private toUpstream(bytes: Buffer): void {
    this.upOut.push(bytes);
  }

  /** One write for everything a pass over the client's messages forwards. */
  private flushUpstream(): void {
    if (this.upOut.length === 0 || this.ended) return;
    const bytes = coalesce(this.upOut);
    this.upOut = [];
    if (!this.upstream.socket.write(bytes)) this.pauseClient('upstream-full');
  }

  private handle(frame: Frame): void {
    if (this.endAfterRelease) return; // nothing counts after Terminate
    if (this.skipUntilSync && frame.type !== FE.Sync && frame.type !== FE.Terminate) return;
    switch (frame.type) {
      case FE.Query:
        return this.onQuery(frame);
      case FE.Parse:
        return this.onParse(frame);
      case FE.Bind:
        return this.onBind(frame);
      case FE.Execute:
        return this.onExecute(frame);
      case FE.Close: {
        const { kind, name } = parseClose(frame.body);
        if (kind === 'S') (this.statements.delete(name), this.pendingStatements.delete(name));
        else (this.portals.delete(name), this.pendingPortals.delete(name));
        return this.send(frame.raw, { kind: 'close' });
      }
      case FE.Describe:
        return this.send(frame.raw, { kind: 'describe' });
      case FE.Sync:
        this.skipUntilSync = false;
        return this.send(frame.raw, { kind: 'sync' });
      case FE.Flush:
      case FE.CopyData:
      case FE.CopyDone:
      case FE.CopyFail:
        return this.send(frame.raw);
      case FE.FunctionCall:
        // The fast-path interface calls a function by OID, out of sight of the SQL parser.
        return this.refuse('query', this.refusedCommand('FunctionCall', 'the fast-path function call interface is not allowed through Gatehouse'));
      case FE.Terminate:
        this.send(frame.raw);
        // Statements held for their ledger entries still go first.
        if (this.held.length > 0) this.endAfterRelease = true;
        else this.end('the client ended the session');
        return;
      default:
        throw new ProtocolError(`unexpected message type "${String.fromCharCode(frame.type)}" from the client`);
    }
  }

  private onQuery(frame: Frame): void {
    const text = parseQuery(frame.body);
    const decided = this.policy.decide(text);
    if (isEmpty(decided)) return this.send(frame.raw, { kind: 'query' });
    this.record(decided, { protocol: 'simple', text }, frame.raw, 'query');
  }

  private onParse(frame: Frame): void {
    const message = parseParse(frame.body);
    const decided = this.policy.decide(message.query);
    if (!decided.decision.allow) {
      this.count.statements++;
      this.count.denied++;
      this.appendDenial(decided, { protocol: 'extended', text: message.query, ...(message.name ? { name: message.name } : {}) });
      this.refuse('parse', this.denialFields(decided));
      return;
    }
    const settle = track(this.statements, this.pendingStatements, message.name, message.query);
    this.send(frame.raw, { kind: 'parse', settle });
  }

  private onBind(frame: Frame): void {
    const message = parseBind(frame.body);
    const portal: PortalState = {
      query: this.pendingStatements.get(message.statement) ?? this.statements.get(message.statement),
      statementName: message.statement,
      params: recordParams(message.params, message.paramFormats),
    };
    const settle = track(this.portals, this.pendingPortals, message.portal, portal);
    this.send(frame.raw, { kind: 'bind', settle });
  }

  private onExecute(frame: Frame): void {
    const { portal: name } = parseExecute(frame.body);
    const portal = this.pendingPortals.get(name) ?? this.portals.get(name);
    if (portal?.rec) return this.send(frame.raw, { kind: 'execute', rec: portal.rec }); // continues a suspended portal
    if (portal?.query === undefined) {
      // Fail closed: a portal we did not see bound (e.g. a SQL cursor) runs something we did not decide.
      return this.refuse('execute', this.refusedCommand('Execute', `portal "${name}" was not bound through Gatehouse and cannot be executed`, { portal: name }));
    }
    // Decided again at Execute: grants may have changed since Parse, and this is when it runs.
    const decided = this.policy.decide(portal.query);
    if (isEmpty(decided)) return this.send(frame.raw, { kind: 'execute' });
    const statement = {
      protocol: 'extended',
      text: portal.query,
      params: portal.params,
      ...(portal.statementName ? { name: portal.statementName } : {}),
    };
    portal.rec = this.record(decided, statement, frame.raw, 'execute');
  }

  /**
   * Records a decided statement and forwards it (allowed) or its denial. Strict mode holds
   * the statement, and everything after it, until its entry is durable.
   */
  private record(
    decided: StatementDecision,
    statement: Parameters<typeof queryEvent>[2],
    bytes: Buffer,
    kind: 'query' | 'execute',
  ): Recorded | undefined {
    this.count.statements++;
    if (!decided.decision.allow) {
      this.count.denied++;
      this.appendDenial(decided, statement);
      this.refuse(kind, this.denialFields(decided));
      return undefined;
    }
    const waits = waitsForLedger(this.deps.auditMode, this.deps.ledger);
    const entry = this.appendQuery(decided, statement, waits);
    const rec: Recorded = { entry, started: performance.now(), tags: [] };
    const expected: Expected = { kind, rec };
    if (!waits) {
      entry.catch(() => undefined); // reported by the outcome recorder; the statement was already sent
      this.send(bytes, expected);
      return rec;
    }
    this.tracker.expect(expected);
    const held: HeldStatement = { ok: false, bytes, expected };
    this.held.push(held);
    this.unsettled++;
    entry.then(
      () => {
        held.ok = true;
        this.entrySettled();
      },
      () => this.entrySettled(),
    );
    return rec;
  }

  private appendDenial(decided: StatementDecision, statement: Parameters<typeof queryEvent>[2]): void {
    this.appendQuery(decided, statement, waitsForLedger(this.deps.auditMode, this.deps.ledger)).catch(() => undefined);
  }

  private appendQuery(decided: StatementDecision, statement: Parameters<typeof queryEvent>[2], waits: boolean): Promise<number> {
    // When nothing waits on the entry, it may wait a little for a larger commit.
    const options = { deferred: !waits };
    const prepared = this.entries.build(decided, statement);
    return prepared
      ? this.deps.ledger.appendPrepared([prepared], options)
      : this.deps.ledger.append(queryEvent(this.identity, decided, statement), options);
  }

  /** Sends the upstream a message it will refuse, standing in for the client's refused one. */
  private refuse(kind: 'query' | 'parse' | 'execute', denial: ErrorFields): void {
    this.send(kind === 'query' ? DENIED_QUERY : DENIED_PARSE, { kind, denial });
    // After an error in the extended protocol the server ignores everything up to Sync.
    if (kind !== 'query') this.skipUntilSync = true;
  }

  private denialFields(decided: StatementDecision): ErrorFields {
    if (decided.decision.allow) throw new Error('denialFields of an allowed statement');
    const { denial } = decided.decision;
    return errorFields('42501', denial.message, `Gatehouse denied the statement (${denial.code.replaceAll('_', ' ')}).`);
  }

  /** A message with no statement to decide, refused: counted and recorded (db.command_refused) like a denial. */
  private refusedCommand(command: string, message: string, detail: Record<string, string> = {}): ErrorFields {
    this.count.statements++;
    this.count.denied++;
    this.deps.ledger.append(commandRefusedEvent(this.identity, command, message, detail)).catch(() => undefined);
    return errorFields('42501', message);
  }

  // ---- upstream → client -------------------------------------------------------------

  private onUpstreamData(chunk: Buffer): void {
    this.upstreamReader.push(chunk);
    const out: Buffer[] = [];
    try {
      for (let frame = this.upstreamReader.next(); frame; frame = this.upstreamReader.next()) out.push(this.tracker.onMessage(frame));
    } catch (error) {
      out.push(errorResponse(fatalFields('08006', `the upstream sent a malformed message: ${(error as Error).message}`)));
      this.toClient(out);
      this.end('the upstream sent a malformed message');
      return;
    }
    this.toClient(out);
  }

  private toClient(out: Buffer[]): void {
    if (out.length === 0) return;
    // Once the session has ended, the upstream is still read to its end (a cancelled statement's
    // error and ReadyForQuery complete its outcome record), but nothing goes to the client: its
    // socket is closing, and a write refused there would pause the upstream for good.
    if (this.ended || !this.client.writable) return;
    if (!this.client.write(coalesce(out))) this.pause(this.upstream.socket, 'client-full');
  }

  // ---- flow control and the end ------------------------------------------------------

  private pauseClient(reason: string): void {
    this.pauses.add(reason);
    this.client.pause();
  }

  private resumeClient(reason: string): void {
    this.pauses.delete(reason);
    if (this.pauses.size === 0 && !this.ended) this.client.resume();
  }

  private pause(socket: Socket, _reason: string): void {
    socket.pause();
  }

  private resume(socket: Socket, _reason: string): void {
    if (!this.ended) socket.resume();
  }

  private fail(error: Error): void {
    const sqlstate = error instanceof ProtocolError ? error.sqlstate : '08006';
    if (!this.ended && this.client.writable) this.client.write(errorResponse(fatalFields(sqlstate, error.message)));
    this.end(error.message);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const up = this.upstream.socket;
    // What was forwarded but not yet written goes first (e.g. statements before a Terminate).
    const pending = this.upOut;
    this.upOut = [];
    if (up.writable) up.end(coalesce([...pending, encodeTerminate()]));
    this.client.end();
    // Sockets that do not close politely are destroyed after a grace period.
    setTimeout(() => {
      up.destroy();
      this.client.destroy();
    }, 2000).unref();
    this.deps.onEnd(this, reason);
  }

  get stats() {
    return { ...this.count, startedAt: this.startedAt };
  }
}

/**
 * Puts `value` in flight under `name`, and returns what to do with the upstream's answer:
 * accepted, it becomes what `name` holds; refused, it is forgotten (unless a later message
 * for the same name is in flight by then).
 */
function track<T>(confirmed: Map<string, T>, pending: Map<string, T>, name: string, value: T): (accepted: boolean) => void {
  pending.set(name, value);
  return (accepted) => {
    if (accepted) confirmed.set(name, value);
    if (pending.get(name) === value) pending.delete(name);
  };
}

/** An empty query string (only whitespace or comments): PostgreSQL answers EmptyQueryResponse. */
function isEmpty(decided: StatementDecision): boolean {
  return decided.classification.ok && decided.classification.statements.length === 0;
}
