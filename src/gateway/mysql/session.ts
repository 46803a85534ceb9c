import type { Socket } from 'node:net';
import type { Ledger } from '../../ledger/index.js';
import { waitsForLedger, type AuditMode, type LiveSession, type SessionInfo } from '../engine.js';
import type { SessionPolicy, StatementDecision } from '../session-policy.js';
import { cancelEvent, commandRefusedEvent, queryEvent, type RecordedParam, type SessionIdentity } from '../audit.js';
import type { OutcomeRecorder } from '../outcome-recorder.js';
import { QueryEntryBuilder } from '../query-entry.js';
import { killQueryTarget } from './kill-statement.js';
import {
  COM,
  commandName,
  decodeCommand,
  decodeStmtExecute,
  encodeErr,
  encodeOk,
  encodePacket,
  PacketReader,
  ProtocolError,
  ResponseTracker,
  SERVER_STATUS_IN_TRANS,
  CURSOR_TYPE,
  type BoundParam,
  type ClientCommand,
  type Packet,
  type ParamType,
  type ResponseOutcome,
} from './codec/index.js';
import { errPacket, type MysqlErrorName } from './errors.js';
import type { UpstreamConnection } from './upstream.js';
import type { ChangeUserCommand, ChangeUserHandover } from './change-user.js';
import type { MysqlLoggedIn } from './login.js';
import { outcomeOf } from './outcomes.js';

export interface MysqlSessionDeps {
  ledger: Ledger;
  auditMode: AuditMode;
  outcomes: OutcomeRecorder;
  maxPacketBytes: number;
  onEnd(session: MysqlSession, reason: string): void;
  /** The client sent COM_CHANGE_USER: this session has ended (onEnd was called), the client is handed over. */
  onChangeUser(handover: ChangeUserHandover): void;
  /** A terminated session's running statement could not be stopped upstream (for the log). */
  onKillFailed?(error: Error): void;
  /** The live session with this greeting connection id, for a client's KILL QUERY. */
  sessionByConnectionId(connectionId: number): MysqlSession | undefined;
}

/** A statement the upstream prepared, as the gateway saw it prepared. */
interface Prepared {
  text: string;
  paramCount: number;
  types?: readonly ParamType[];
  longData: Set<number>;
}

/** The command whose response is being relayed. */
interface InFlight {
  tracker: ResponseTracker;
  entry?: Promise<number>;
  started: number;
  /** A prepare whose statement id the answer will give. */
  prepare?: string;
  /** A USE or COM_INIT_DB: the session's database once the upstream says OK. */
  database?: string;
  /** COM_RESET_CONNECTION: the upstream forgets its prepared statements. */
  reset?: boolean;
  /** The sequence id of the next packet the client expects in this response. */
  sequence?: number;
}

type StatementRecord = Parameters<typeof queryEvent>[2];

const LEDGER_DOWN = 'Gatehouse could not record the statement in the audit ledger, so it did not run';

/**
 * One MySQL client's session after login: takes its commands one at a time ("Command
 * Phase"), decides and records each statement, forwards what is allowed and relays the
 * upstream's answer packet by packet (a response tracker says where it ends). MySQL clients
 * wait for each answer, so commands never overlap; any that arrive early wait their turn.
 * In strict mode a statement goes upstream only once its ledger entry is durable.
 */
export class MysqlSession implements LiveSession {
  private readonly clientReader: PacketReader;
  private readonly upstreamReader = new PacketReader();
  private readonly entries: QueryEntryBuilder;
  private readonly prepared = new Map<number, Prepared>();
  private readonly waiting: Packet[] = [];
  private current: InFlight | undefined;
  /** A command is being decided or waits for its ledger entry. */
  private busy = false;
  private ended = false;
  private readonly startedAt = new Date();
  private lastActivity = this.startedAt;
  private count = { statements: 0, denied: 0 };
  private status: number;
  readonly identity: SessionIdentity;
  private readonly client: Socket;
  private readonly upstream: UpstreamConnection;
  private readonly policy: SessionPolicy;
  private readonly tls: boolean;
  private readonly caps: number;
  /** Kept for a COM_CHANGE_USER: its auth response is computed with the greeting's scramble. */
  private readonly login: Pick<MysqlLoggedIn, 'scramble' | 'characterSet' | 'killRunning'>;
  /** The connection id of the gateway's greeting: what the client names in KILL QUERY. */
  readonly connectionId: number;
  /** The client socket's listeners, removed when the client is handed over (COM_CHANGE_USER). */
  private readonly clientListeners: Record<'data' | 'drain' | 'close' | 'error', (...args: any[]) => void> = {
    data: (chunk: Buffer) => this.onClientData(chunk),
    drain: () => !this.ended && this.upstream.socket.resume(),
    close: () => this.end('the client disconnected'),
    error: () => this.end('the client connection failed'),
  };

  constructor(
    login: MysqlLoggedIn,
    private readonly deps: MysqlSessionDeps,
  ) {
    ({ identity: this.identity, upstream: this.upstream, policy: this.policy, tls: this.tls, capabilities: this.caps } = login);
    this.client = login.channel.socket;
    this.login = { scramble: login.scramble, characterSet: login.characterSet, killRunning: login.killRunning };
    this.connectionId = login.connectionId;
    this.clientReader = new PacketReader({ maxPacketBytes: deps.maxPacketBytes });
    this.entries = new QueryEntryBuilder(this.identity);
    this.status = this.upstream.status;
  }

  start(clientBytes: Buffer): void {
    const up = this.upstream.socket;
    for (const [event, listener] of Object.entries(this.clientListeners)) this.client.on(event, listener);
    up.on('data', (chunk: Buffer) => this.onUpstreamData(chunk));
    up.on('drain', () => !this.ended && this.client.resume());
    up.on('close', () => {
      this.upstreamGone();
      this.end('the upstream closed the connection');
    });
    up.on('error', () => this.end('the upstream connection failed'));
    if (this.upstream.remainder.length > 0) this.onUpstreamData(this.upstream.remainder);
    if (clientBytes.length > 0) this.onClientData(clientBytes);
    this.client.resume();
    up.resume();
  }

  info(): SessionInfo {
    const { principal, connection, client, application, sessionId } = this.identity;
    return {
      id: sessionId,
      engine: 'mysql',
      principal,
      connection: { id: connection.id, name: connection.name },
      client,
      application,
      tls: this.tls,
      state: this.current || this.busy ? 'active' : (this.status & SERVER_STATUS_IN_TRANS) !== 0 ? 'in_transaction' : 'idle',
      started_at: this.startedAt.toISOString(),
      last_activity_at: this.lastActivity.toISOString(),
      statements: this.count.statements,
      denied: this.count.denied,
    };
  }

  /**
   * Ends the session with ER_CONNECTION_KILLED (1927, 70100: "Connection was killed", MariaDB's
   * error for a killed connection) naming the reason. A client waiting for an answer gets it as
   * that answer (next in the response's sequence); an idle one gets it with sequence id 0, as
   * MySQL 8.0.24+ tells an idle client why it was disconnected (WL#12999), and reads it when it
   * next sends a command. Then both sockets close.
   */
  terminate(reason: string): void {
    if (this.ended) return;
    const sequence = this.current ? (this.current.sequence ?? 1) : this.busy ? 1 : 0;
    if (this.client.writable) this.client.write(encodePacket(sequence, errPacket('connectionKilled', `Connection was killed: ${reason}`, this.caps)));
    const running = this.current !== undefined;
    this.end(reason);
    if (running) this.cancelRunning();
  }

  /** Stops the statement the upstream is running, if any (KILL QUERY on a second connection). */
  cancelRunning(): void {
    if (this.current) this.login.killRunning().catch((error: Error) => this.deps.onKillFailed?.(error));
  }

  get stats() {
    return { ...this.count, startedAt: this.startedAt };
  }

  // ---- client → upstream -------------------------------------------------------------

  private onClientData(chunk: Buffer): void {
    this.lastActivity = new Date();
    this.clientReader.push(chunk);
    try {
      for (let packet = this.clientReader.next(); packet; packet = this.clientReader.next()) {
        // LOCAL INFILE content (or the end of it) goes straight on while the server waits for it.
        if (this.current?.tracker.awaitingClient && this.waiting.length === 0) {
          this.current.tracker.clientPacket(packet.payload);
          this.toUpstream(packet.raw);
        } else this.waiting.push(packet);
      }
    } catch (error) {
      return this.fail(error as Error);
    }
    this.pump();
  }

  /**
   * Takes the next command when nothing is in flight. A command is handled synchronously when
   * it need not wait (its policy is fresh, async audit mode); only one that waits (a policy
   * reload, a strict-mode ledger entry) holds the queue until it is done. Most statements so
   * cost no promise and no turn of the microtask queue of their own.
   */
  private pump(): void {
    while (!this.ended && !this.busy && !this.current && this.waiting.length > 0) {
      const packet = this.waiting.shift()!;
      if (packet.sequenceId !== 0) return this.fail(new ProtocolError(`a command with sequence id ${packet.sequenceId}, not 0`, 1156, '08S01'));
      let waiting: Promise<void> | void;
      try {
        waiting = this.policy.stale ? this.policy.refresh().then(() => this.command(packet)) : this.command(packet);
      } catch (error) {
        return this.fail(error as Error);
      }
      if (waiting) {
        this.busy = true;
        waiting.then(
          () => {
            this.busy = false;
            this.pump();
          },
          (error: Error) => this.fail(error),
        );
      }
    }
  }

  /** Handles one command; a promise only when it has to wait for something first. */
  private command(packet: Packet): Promise<void> | void {
    const cmd = decodeCommand(packet.payload, this.caps);
    switch (cmd.kind) {
      case 'query': {
        const target = killQueryTarget(cmd.query);
        if (target !== undefined) return this.killQuery(target);
        return this.statement(packet, cmd.query, { protocol: 'text', text: cmd.query }, COM.QUERY);
      }
      case 'init-db': {
        const text = `USE ${quoteName(cmd.database)}`;
        return this.statement(packet, text, { protocol: 'init_db', text }, COM.INIT_DB, { database: cmd.database });
      }
      case 'field-list': {
        const text = `SHOW COLUMNS FROM ${quoteName(cmd.table)}`;
        return this.statement(packet, text, { protocol: 'field_list', text }, COM.FIELD_LIST);
      }
      case 'stmt-prepare': {
        const decided = this.policy.decide(cmd.query);
        if (!decided.decision.allow) return this.deny(decided, { protocol: 'prepared', text: cmd.query });
        return this.forward(packet, COM.STMT_PREPARE, { prepare: cmd.query });
      }
      case 'stmt-execute':
        return this.execute(packet, cmd.statementId);
      case 'stmt-send-long-data': {
        this.prepared.get(cmd.statementId)?.longData.add(cmd.paramId);
        return this.forward(packet, COM.STMT_SEND_LONG_DATA);
      }
      case 'stmt-close':
        this.prepared.delete(cmd.statementId);
        return this.forward(packet, COM.STMT_CLOSE);
      case 'stmt-reset':
        this.prepared.get(cmd.statementId)?.longData.clear();
        return this.forward(packet, COM.STMT_RESET);
      case 'stmt-fetch':
        if (!this.prepared.has(cmd.statementId)) return this.refuseUnknownStatement(COM.STMT_FETCH, cmd.statementId, 'mysqld_stmt_fetch');
        return this.forward(packet, COM.STMT_FETCH);
      case 'ping':
      case 'set-option':
      case 'statistics':
        return this.forward(packet, packet.payload[0]!);
      case 'reset-connection':
        return this.forward(packet, COM.RESET_CONNECTION, { reset: true });
      case 'quit':
        this.toUpstream(packet.raw);
        return this.end('the client ended the session');
      case 'change-user':
        return this.changeUser(cmd);
      default:
        return this.refuseCommand(cmd);
    }
  }

  /** A statement in text (COM_QUERY) or one the gateway spells out for a command (COM_INIT_DB, COM_FIELD_LIST). */
  private statement(packet: Packet, text: string, record: StatementRecord, command: number, extra: Pick<InFlight, 'database'> = {}): Promise<void> | void {
    const decided = this.policy.decide(text);
    if (!decided.decision.allow) return this.deny(decided, record);
    const database = extra.database ?? usedDatabase(decided);
    return this.recordAndForward(packet, command, decided, record, database === undefined ? {} : { database });
  }

  /** COM_STMT_EXECUTE: decided again (grants may have changed since the prepare), parameters recorded. */
  private execute(packet: Packet, statementId: number): Promise<void> | void {
    const statement = this.prepared.get(statementId);
    if (!statement) {
      // Fail closed: a statement id the gateway did not see prepared runs something nobody decided.
      return this.refuseUnknownStatement(COM.STMT_EXECUTE, statementId, 'mysqld_stmt_execute');
    }
    const exec = decodeStmtExecute(packet.payload, this.caps, {
      paramCount: statement.paramCount,
      ...(statement.types ? { types: statement.types } : {}),
      longData: statement.longData,
    });
    if (exec.newParamsBound) statement.types = exec.params.map(({ type, unsigned }) => ({ type, unsigned }));
    statement.longData.clear();
    const record: StatementRecord = { protocol: 'prepared', text: statement.text, params: exec.params.map(recordParam), name: String(statementId) };
    const decided = this.policy.decide(statement.text);
    if (!decided.decision.allow) return this.deny(decided, record);
    const cursor = (exec.flags & CURSOR_TYPE.READ_ONLY) !== 0;
    return this.recordAndForward(packet, COM.STMT_EXECUTE, decided, record, {}, cursor);
  }

  private recordAndForward(
    packet: Packet,
    command: number,
    decided: StatementDecision,
    record: StatementRecord,
    extra: Pick<InFlight, 'database'>,
    cursor = false,
  ): Promise<void> | void {
    this.count.statements++;
    const waits = waitsForLedger(this.deps.auditMode, this.deps.ledger);
    const entry = this.append(decided, record, waits);
    if (waits) {
      return entry.then(
        () => this.forward(packet, command, { ...extra, entry }, cursor),
        () => this.refuse('unknown', LEDGER_DOWN),
      );
    }
    entry.catch(() => undefined); // reported by the outcome recorder; the statement was already sent
    return this.forward(packet, command, { ...extra, entry }, cursor);
  }

  private forward(packet: Packet, command: number, extra: Omit<InFlight, 'tracker' | 'started'> = {}, cursor = false): void {
    const tracker = new ResponseTracker(this.upstream.capabilities, command, { cursor });
    this.toUpstream(packet.raw);
    if (tracker.done) return; // no answer comes (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA)
    this.current = { tracker, started: performance.now(), ...extra };
  }

  private deny(decided: StatementDecision, record: StatementRecord): void {
    if (decided.decision.allow) throw new Error('deny() of an allowed statement');
    this.count.statements++;
    this.append(decided, record, waitsForLedger(this.deps.auditMode, this.deps.ledger)).catch(() => undefined);
    this.refuse('tableAccessDenied', decided.decision.denial.message);
  }

  /**
   * A client's KILL QUERY: the gateway's connection ids are not the server's threads, so it
   * finds the session itself and stops that session's statement upstream. A user may cancel
   * only their own sessions' statements (1095 otherwise, as the server says), as with
   * PostgreSQL's CancelRequest, whose key only the session's own client holds.
   */
  private killQuery(connectionId: number): void {
    this.count.statements++;
    const target = this.deps.sessionByConnectionId(connectionId);
    const outcome = !target ? 'unknown' : target.identity.principal.id !== this.identity.principal.id ? 'not_owner' : 'cancelled';
    this.deps.ledger.append(cancelEvent(this.identity, connectionId, outcome, target?.identity.sessionId)).catch(() => undefined);
    if (outcome === 'unknown') return this.refuse('noSuchThread', `Unknown thread id: ${connectionId}`);
    if (outcome === 'not_owner') return this.refuse('killDenied', `You are not owner of thread ${connectionId}`);
    target!.cancelRunning();
    if (this.client.writable) this.client.write(encodePacket(1, encodeOk({ status: this.status }, this.caps)));
  }

  private refuseCommand(cmd: Extract<ClientCommand, { kind: 'process-kill' | 'unknown' }>): void {
    const name = commandName(cmd.kind === 'unknown' ? cmd.code : COM.PROCESS_KILL);
    const detail: Record<string, number> = cmd.kind === 'unknown' ? { code: cmd.code } : { connection_id: cmd.connectionId };
    this.refuseRecorded(name, detail, 'specificAccessDenied', `Access denied; ${name} is not allowed through Gatehouse`);
  }

  private refuseUnknownStatement(command: number, statementId: number, where: string): void {
    const message = `Unknown prepared statement handler (${statementId}) given to ${where}`;
    this.refuseRecorded(commandName(command), { statement_id: statementId }, 'unknownStatement', message);
  }

  /** Refuses a command that carries no statement to decide, and records it (db.command_refused). */
  private refuseRecorded(command: string, detail: Record<string, string | number>, error: MysqlErrorName, message: string): void {
    this.count.statements++;
    this.deps.ledger.append(commandRefusedEvent(this.identity, command, message, detail)).catch(() => undefined);
    this.refuse(error, message);
  }

  /** Answers the current command with an error of the gateway's own (sequence id 1), forwarding nothing. */
  private refuse(error: MysqlErrorName, message: string): void {
    if (error !== 'unknown') this.count.denied++;
    if (this.client.writable) this.client.write(encodePacket(1, errPacket(error, message, this.caps)));
  }

  private append(decided: StatementDecision, record: StatementRecord, waits: boolean): Promise<number> {
    // When nothing waits on the entry, it may wait a little for a larger commit.
    const options = { deferred: !waits };
    const prepared = this.entries.build(decided, record);
    return prepared
      ? this.deps.ledger.appendPrepared([prepared], options)
      : this.deps.ledger.append(queryEvent(this.identity, decided, record), options);
  }

  private toUpstream(bytes: Buffer): void {
    if (!this.ended && !this.upstream.socket.write(bytes)) this.client.pause();
  }

  // ---- upstream → client -------------------------------------------------------------

  private onUpstreamData(chunk: Buffer): void {
    this.upstreamReader.push(chunk);
    const out: Buffer[] = [];
    try {
      for (let packet = this.upstreamReader.next(); packet; packet = this.upstreamReader.next()) {
        const current = this.current;
        if (!current) throw new ProtocolError('the upstream sent a packet no command asked for', 2027, 'HY000');
        out.push(packet.raw);
        current.sequence = (packet.lastSequenceId + 1) & 0xff;
        const outcome = current.tracker.serverPacket(packet.payload);
        if (outcome) this.onOutcome(current, outcome);
        if (current.tracker.done) this.finish(current);
      }
    } catch (error) {
      this.flushClient(out);
      return this.fail(error as Error);
    }
    this.flushClient(out);
    this.pump();
  }

  private flushClient(out: Buffer[]): void {
    if (out.length === 0 || this.ended) return;
    if (!this.client.write(out.length === 1 ? out[0]! : Buffer.concat(out))) this.upstream.socket.pause();
  }

  private onOutcome(current: InFlight, outcome: ResponseOutcome): void {
    if (outcome.kind === 'prepared' && current.prepare !== undefined) {
      this.prepared.set(outcome.statementId, { text: current.prepare, paramCount: outcome.params, longData: new Set() });
    }
    if (outcome.kind === 'ok' || outcome.kind === 'rows') this.status = outcome.status;
  }

  private finish(current: InFlight): void {
    this.current = undefined;
    const outcomes = current.tracker.outcomes;
    const failed = outcomes.some((o) => o.kind === 'error');
    if (!failed && current.database !== undefined) this.policy.setDefaultSchema(current.database);
    if (!failed && current.reset) this.prepared.clear();
    if (current.entry) this.deps.outcomes.add(current.entry, this.identity.sessionId, outcomeOf(outcomes, performance.now() - current.started));
  }

  // ---- the end -----------------------------------------------------------------------

  /**
   * The upstream connection closed with a command unanswered (the server killed the
   * connection, or the network failed): its outcome is an error, 2013 as a MySQL client
   * reports a connection lost during a query, SQLSTATE 08S01 (communication link failure).
   */
  private upstreamGone(): void {
    const current = this.current;
    if (!current) return;
    this.current = undefined;
    const lost: ResponseOutcome = { kind: 'error', code: 2013, sqlstate: '08S01', message: 'the upstream connection closed before the command was answered' };
    if (current.entry) this.deps.outcomes.add(current.entry, this.identity.sessionId, outcomeOf([...current.tracker.outcomes, lost], performance.now() - current.started));
  }

  private fail(error: Error): void {
    if (!this.ended && this.client.writable && error instanceof ProtocolError) {
      // Sequence id 1: the answer to the packet that broke the protocol (a command, id 0), as the server sends it.
      this.client.write(encodePacket(1, encodeErr(error.toErr(), this.caps)));
    }
    this.end(error.message);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const up = this.upstream.socket;
    if (up.writable) up.end();
    this.client.end();
    setTimeout(() => {
      up.destroy();
      this.client.destroy();
    }, 2000).unref();
    this.deps.onEnd(this, reason);
  }

  /**
   * COM_CHANGE_USER ends this session: the server forgets the previous user's state, so this
   * session's upstream connection closes (an open transaction rolls back) and its record ends;
   * the client, with what it sent beyond the command, goes to the gateway to log in again
   * (change-user.ts). Nothing is read from the client until then.
   */
  private changeUser(command: ChangeUserCommand): void {
    this.ended = true;
    for (const [event, listener] of Object.entries(this.clientListeners)) this.client.off(event, listener);
    this.client.pause();
    const up = this.upstream.socket;
    // COM_QUIT first, so the server counts a clean close rather than an aborted connection.
    if (up.writable) up.end(encodePacket(0, Buffer.from([COM.QUIT])));
    setTimeout(() => up.destroy(), 2000).unref();
    const received = Buffer.concat([...this.waiting.splice(0).map((p) => p.raw), this.clientReader.takeRemainder()]);
    this.deps.onEnd(this, `the client changed user (COM_CHANGE_USER) to ${command.username}`);
    const { tls, caps: capabilities, identity: previous } = this;
    const { scramble, characterSet } = this.login;
    this.deps.onChangeUser({ command, socket: this.client, received, previous, tls, capabilities, scramble, characterSet, connectionId: this.connectionId });
  }
}

/** A name as MySQL quotes it: in backticks, a backtick doubled. */
function quoteName(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** The database the last USE of a statement text switches to, if it has one. */
function usedDatabase(decided: StatementDecision): string | undefined {
  if (!decided.classification.ok) return undefined;
  let database: string | undefined;
  for (const s of decided.classification.statements) if (s.kind === 'UseStmt' && s.database) database = s.database;
  return database;
}

function recordParam(param: BoundParam): RecordedParam {
  const value = param.value;
  if (value !== null && typeof value === 'object' && 'longData' in value) return { long_data: true };
  return value;
}
