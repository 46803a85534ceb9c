import { CLIENT_DEPRECATE_EOF, hasCaps, MARIADB_CLIENT_PROGRESS, SERVER_MORE_RESULTS_EXISTS, SERVER_STATUS_CURSOR_EXISTS } from './capabilities.js';
import { COM } from './constants.js';
import { ProtocolError } from './errors.js';
import { CACHING_SHA2 } from './handshake.js';
import {
  decodeErr,
  decodeOk,
  decodeResultSetEnd,
  decodeResultSetHeader,
  EOF_HEADER,
  ERR_HEADER,
  isProgressReport,
  isResultSetEnd,
  LOCAL_INFILE_HEADER,
  OK_HEADER,
} from './response.js';
import { decodePrepareOk } from './stmt-prepare.js';

/**
 * Follows a command's response packet by packet, so the relay knows when it is complete and
 * what it said ("COM_QUERY Response", "Text Resultset", "Binary Protocol Resultset",
 * "COM_STMT_PREPARE Response", "COM_FIELD_LIST Response", "LOCAL INFILE Request",
 * "Multi-Resultset"). It reads only what it must (headers, counts, terminators, OK and ERR);
 * rows are counted, never decoded.
 */

/** What one result of a response came to, for the audit trail. */
export type ResponseOutcome =
  | { kind: 'ok'; affectedRows: number; lastInsertId: bigint; warnings: number; status: number; info: string }
  | { kind: 'error'; code: number; sqlstate: string; message: string }
  | { kind: 'rows'; columns: number; rows: number; warnings: number; status: number; cursor: boolean }
  | { kind: 'prepared'; statementId: number; columns: number; params: number; warnings: number }
  | { kind: 'text'; text: string };

type State =
  | { s: 'first' } // the first packet of a (next) result
  | { s: 'columns'; left: number; total: number; eof: boolean } // column definitions, then an EOF if `eof`
  | { s: 'columns-eof'; total: number }
  | { s: 'rows'; columns: number; rows: number }
  | { s: 'infile-client' } // the client sends file content until an empty packet
  | { s: 'infile-result' }
  | { s: 'prepare-defs'; params: number; columns: number; eofAfterParams: boolean; eofAfterColumns: boolean; pendingEof: boolean }
  | { s: 'field-list' }
  | { s: 'single' } // one OK, EOF or ERR
  | { s: 'text' } // COM_STATISTICS: one string, or ERR
  | { s: 'auth-server' } // COM_CHANGE_USER: the server's turn
  | { s: 'auth-client' }
  | { s: 'done' };

export interface TrackerOptions {
  /** COM_STMT_EXECUTE asked for a cursor (flags & CURSOR_TYPE_READ_ONLY): rows are then fetched, not sent. */
  cursor?: boolean;
}

export class ResponseTracker {
  private state: State;
  private readonly deprecateEof: boolean;
  private readonly progress: boolean;
  private lastStatus = 0;
  /** Every result completed so far, in order. */
  readonly outcomes: ResponseOutcome[] = [];
  /** The file a LOCAL INFILE request named, while the client is sending it. */
  localInfileName: string | null = null;

  constructor(
    private readonly caps: number,
    readonly command: number,
    private readonly options: TrackerOptions = {},
  ) {
    this.deprecateEof = hasCaps(caps, CLIENT_DEPRECATE_EOF);
    this.progress = hasCaps(caps, MARIADB_CLIENT_PROGRESS);
    this.state = initialState(command);
  }

  /** The response is complete: the next packet from the server belongs to the next command. */
  get done(): boolean {
    return this.state.s === 'done';
  }

  /** The server waits for the client: LOCAL INFILE content, or an authentication answer. */
  get awaitingClient(): boolean {
    return this.state.s === 'infile-client' || this.state.s === 'auth-client';
  }

  /** The status flags of the last OK or EOF (SERVER_STATUS_IN_TRANS, SERVER_STATUS_AUTOCOMMIT, …). */
  get status(): number {
    return this.lastStatus;
  }

  /** Takes the next packet from the server; returns the outcome it completed, if any. */
  serverPacket(payload: Buffer): ResponseOutcome | null {
    const st = this.state;
    if (st.s === 'done') this.fail('a packet after the response was complete');
    if (payload.length === 0) this.fail('an empty packet');
    const header = payload[0]!;
    // An ERR ends the whole response wherever it comes: before a result, between rows (the
    // query was killed), or after LOCAL INFILE content; later results of a multi-statement do not run.
    if (header === ERR_HEADER) return this.error(payload);
    if (st.s === 'infile-client' || st.s === 'auth-client') this.fail('a packet while the server waits for the client');
    switch (st.s) {
      case 'first':
        return this.first(payload);
      case 'columns':
        if (--st.left === 0) this.state = st.eof ? { s: 'columns-eof', total: st.total } : { s: 'rows', columns: st.total, rows: 0 };
        return null;
      case 'columns-eof': {
        if (!isResultSetEnd(payload, 0)) this.fail('the column definitions did not end with an EOF');
        const end = decodeResultSetEnd(payload, withoutDeprecateEof(this.caps));
        this.lastStatus = end.status;
        if (this.options.cursor && (end.status & SERVER_STATUS_CURSOR_EXISTS) !== 0) {
          return this.finishResult({ kind: 'rows', columns: st.total, rows: 0, warnings: end.warnings, status: end.status, cursor: true }, end.status);
        }
        this.state = { s: 'rows', columns: st.total, rows: 0 };
        return null;
      }
      case 'rows':
        if (isResultSetEnd(payload, this.caps)) {
          const end = decodeResultSetEnd(payload, this.caps);
          const cursor = (end.status & SERVER_STATUS_CURSOR_EXISTS) !== 0 && st.rows === 0 && this.options.cursor === true;
          return this.finishResult({ kind: 'rows', columns: st.columns, rows: st.rows, warnings: end.warnings, status: end.status, cursor }, end.status);
        }
        st.rows++;
        return null;
      case 'infile-result':
        if (header !== OK_HEADER) this.fail(`header 0x${header.toString(16)} after LOCAL INFILE content, not OK or ERR`);
        return this.ok(payload);
      case 'prepare-defs':
        return this.prepareDefinition(payload, st);
      case 'field-list':
        if (isResultSetEnd(payload, this.caps)) {
          this.lastStatus = decodeResultSetEnd(payload, this.caps).status;
          this.state = { s: 'done' };
        }
        return null;
      case 'single':
        if (header === OK_HEADER) return this.ok(payload);
        if (header === EOF_HEADER && isResultSetEnd(payload, this.caps)) {
          const end = decodeResultSetEnd(payload, this.caps);
          return this.finishResult({ kind: 'ok', affectedRows: 0, lastInsertId: 0n, warnings: end.warnings, status: end.status, info: '' }, 0);
        }
        return this.fail(`header 0x${header.toString(16)}, not OK, EOF or ERR`);
      case 'text':
        this.state = { s: 'done' };
        return this.record({ kind: 'text', text: payload.toString('utf8') });
      case 'auth-server':
        return this.authPacket(payload);
    }
  }

  /** Takes a packet the client sent while awaitingClient (LOCAL INFILE content, an auth answer). */
  clientPacket(payload: Buffer): void {
    if (this.state.s === 'infile-client') {
      if (payload.length === 0) {
        this.state = { s: 'infile-result' };
        this.localInfileName = null;
      }
      return;
    }
    if (this.state.s === 'auth-client') {
      this.state = { s: 'auth-server' };
      return;
    }
    throw new ProtocolError('malformed exchange: the client sent a packet while the server was answering');
  }

  private first(payload: Buffer): ResponseOutcome | null {
    const header = payload[0]!;
    if (header === OK_HEADER) {
      if (this.command === COM.STMT_PREPARE) return this.prepareOk(payload);
      return this.ok(payload);
    }
    if (header === LOCAL_INFILE_HEADER && this.command === COM.QUERY) {
      this.localInfileName = payload.toString('utf8', 1);
      this.state = { s: 'infile-client' };
      return null;
    }
    if (this.command === COM.STMT_PREPARE) this.fail(`header 0x${header.toString(16)} answering COM_STMT_PREPARE`);
    const head = decodeResultSetHeader(payload, this.caps);
    const eof = !this.deprecateEof;
    if (head.metadataFollows) this.state = { s: 'columns', left: head.columnCount, total: head.columnCount, eof };
    else this.state = eof ? { s: 'columns-eof', total: head.columnCount } : { s: 'rows', columns: head.columnCount, rows: 0 };
    return null;
  }

  private prepareOk(payload: Buffer): ResponseOutcome {
    const ok = decodePrepareOk(payload, this.caps);
    const outcome: ResponseOutcome = { kind: 'prepared', statementId: ok.statementId, columns: ok.columnCount, params: ok.paramCount, warnings: ok.warnings };
    const defs = ok.metadataFollows;
    const params = defs ? ok.paramCount : 0;
    const columns = defs ? ok.columnCount : 0;
    this.state =
      params + columns === 0
        ? { s: 'done' }
        : { s: 'prepare-defs', params, columns, eofAfterParams: params > 0 && !this.deprecateEof, eofAfterColumns: columns > 0 && !this.deprecateEof, pendingEof: false };
    return this.record(outcome);
  }

  private prepareDefinition(payload: Buffer, st: Extract<State, { s: 'prepare-defs' }>): null {
    if (st.pendingEof) {
      if (!isResultSetEnd(payload, 0)) this.fail('the definitions of COM_STMT_PREPARE_OK did not end with an EOF');
      st.pendingEof = false;
    } else if (st.params > 0) {
      if (--st.params === 0 && st.eofAfterParams) st.pendingEof = true;
    } else if (st.columns > 0) {
      if (--st.columns === 0 && st.eofAfterColumns) st.pendingEof = true;
    }
    if (st.params === 0 && st.columns === 0 && !st.pendingEof) this.state = { s: 'done' };
    return null;
  }

  private authPacket(payload: Buffer): ResponseOutcome | null {
    const header = payload[0]!;
    if (header === OK_HEADER) return this.ok(payload);
    if (header === EOF_HEADER) {
      this.state = { s: 'auth-client' }; // AuthSwitchRequest
      return null;
    }
    if (header === 0x01) {
      // caching_sha2_password's fast_auth_success is followed by the server's OK; every other AuthMoreData wants an answer.
      if (!(payload.length === 2 && payload[1] === CACHING_SHA2.FAST_AUTH_SUCCESS)) this.state = { s: 'auth-client' };
      return null;
    }
    return this.fail(`header 0x${header.toString(16)} during COM_CHANGE_USER authentication`);
  }

  private ok(payload: Buffer): ResponseOutcome {
    const ok = decodeOk(payload, this.caps);
    return this.finishResult({ kind: 'ok', affectedRows: ok.affectedRows, lastInsertId: ok.lastInsertId, warnings: ok.warnings, status: ok.status, info: ok.info }, ok.status);
  }

  private error(payload: Buffer): ResponseOutcome | null {
    if (this.progress && isProgressReport(payload)) return null; // MariaDB progress: the command goes on
    const err = decodeErr(payload);
    this.state = { s: 'done' };
    return this.record({ kind: 'error', code: err.code, sqlstate: err.sqlstate, message: err.message });
  }

  /** A result ended with these status flags: another follows if SERVER_MORE_RESULTS_EXISTS says so. */
  private finishResult(outcome: ResponseOutcome, status: number): ResponseOutcome {
    this.lastStatus = status;
    const more = (status & SERVER_MORE_RESULTS_EXISTS) !== 0 && (this.command === COM.QUERY || isExecute(this.command));
    this.state = more ? { s: 'first' } : { s: 'done' };
    return this.record(outcome);
  }

  private record(outcome: ResponseOutcome): ResponseOutcome {
    this.outcomes.push(outcome);
    return outcome;
  }

  private fail(problem: string): never {
    throw new ProtocolError(`unexpected response to command 0x${this.command.toString(16).padStart(2, '0')}: ${problem}`);
  }
}

function isExecute(command: number): boolean {
  return command === COM.STMT_EXECUTE || command === COM.STMT_BULK_EXECUTE;
}

function withoutDeprecateEof(caps: number): number {
  return hasCaps(caps, CLIENT_DEPRECATE_EOF) ? caps - CLIENT_DEPRECATE_EOF : caps;
}

function initialState(command: number): State {
  switch (command) {
    case COM.QUERY:
    case COM.STMT_EXECUTE:
    case COM.STMT_BULK_EXECUTE:
    case COM.STMT_PREPARE:
      return { s: 'first' };
    case COM.STMT_FETCH:
      return { s: 'rows', columns: 0, rows: 0 };
    case COM.FIELD_LIST:
      return { s: 'field-list' };
    case COM.STATISTICS:
      return { s: 'text' };
    case COM.CHANGE_USER:
      return { s: 'auth-server' };
    // No response at all ("COM_QUIT", "COM_STMT_CLOSE", "COM_STMT_SEND_LONG_DATA").
    case COM.QUIT:
    case COM.STMT_CLOSE:
    case COM.STMT_SEND_LONG_DATA:
      return { s: 'done' };
    default:
      return { s: 'single' };
  }
}
