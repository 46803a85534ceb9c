import { MessageWriter } from './bytes.js';
import * as be from './backend.js';
import * as fe from './frontend.js';

/**
 * Realistic message streams for the framing tests: what psql or a driver sends (a
 * StartupMessage, then simple and extended queries, COPY), and what a server answers (the
 * startup phase, a row description, a large DataRow, errors and notices).
 */

/** A DataRow with these column values (null: SQL NULL). */
export function dataRow(values: (Buffer | null)[]): Buffer {
  const w = new MessageWriter(be.BE.DataRow, 16).uint16(values.length);
  for (const v of values) {
    if (v === null) w.int32(-1);
    else w.int32(v.length).bytes(v);
  }
  return w.finish();
}

export function rowDescription(columns: string[]): Buffer {
  const w = new MessageWriter(be.BE.RowDescription).uint16(columns.length);
  for (const c of columns) w.cstring(c).int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0);
  return w.finish();
}

function filler(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** The startup packet and the typed messages a client sends, each as its exact bytes. */
export function clientMessages(large = 16 * 1024): { startup: Buffer; typed: Buffer[] } {
  const startup = fe.startupMessage({ user: 'alice', database: 'app', application_name: 'psql', client_encoding: 'UTF8' });
  const typed = [
    fe.passwordMessage('md5a3556571e93b0d20722ba62be61e8c2d'),
    fe.query('SELECT 1; SELECT now()'),
    fe.parse({ name: 's1', query: 'SELECT * FROM t WHERE id = $1 AND name = $2', paramTypes: [23, 0] }),
    fe.bind({ portal: '', statement: 's1', paramFormats: [0, 1], params: [Buffer.from('42'), filler(large, 7)], resultFormats: [1] }),
    fe.bind({ portal: 'p', statement: '', paramFormats: [], params: [null], resultFormats: [] }),
    fe.describe('P', ''),
    fe.execute('', 0),
    fe.close('S', 's1'),
    fe.flush(),
    fe.sync(),
    fe.query('COPY t FROM STDIN'),
    fe.copyData(Buffer.from('1\tone\n2\ttwo\n')),
    fe.copyDone(),
    fe.copyFail('aborted by the user'),
    fe.saslInitialResponse('SCRAM-SHA-256', Buffer.from('n,,n=,r=abc')),
    fe.saslResponse(Buffer.from('c=biws,r=abcdef,p=xyz')),
    fe.query('ünïcødé ✓'),
    fe.terminate(),
  ];
  return { startup, typed };
}

/** What a server sends from AuthenticationOk to the end of a query with a large row. */
export function serverMessages(large = 16 * 1024): Buffer[] {
  return [
    be.authenticationSASL(['SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS']),
    be.authenticationSASLContinue(Buffer.from('r=abcdef,s=c2FsdA==,i=4096')),
    be.authenticationSASLFinal(Buffer.from('v=c2lnbmF0dXJl')),
    be.authenticationOk(),
    be.parameterStatus('server_version', '17.2'),
    be.parameterStatus('client_encoding', 'UTF8'),
    be.backendKeyData(4242, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])),
    be.noticeResponse({ severity: 'NOTICE', code: '00000', message: 'hello' }),
    be.readyForQuery('I'),
    rowDescription(['id', 'payload']),
    dataRow([Buffer.from('1'), filler(large, 3)]),
    dataRow([Buffer.from('2'), null]),
    be.commandComplete('SELECT 2'),
    be.errorResponse({ severity: 'ERROR', code: '42P01', message: 'relation "t" does not exist', position: '15' }),
    be.negotiateProtocolVersion(0, ['_pq_.x']),
    be.emptyQueryResponse(),
    be.readyForQuery('E'),
  ];
}

/** Decodes a client message the way the session will; returns nothing, throws what the decoder throws. */
export function decodeClient(type: number, body: Buffer): void {
  switch (type) {
    case fe.FE.Query:
      fe.parseQuery(body);
      break;
    case fe.FE.Parse:
      fe.parseParse(body);
      break;
    case fe.FE.Bind:
      fe.parseBind(body);
      break;
    case fe.FE.Describe:
      fe.parseDescribe(body);
      break;
    case fe.FE.Close:
      fe.parseClose(body);
      break;
    case fe.FE.Execute:
      fe.parseExecute(body);
      break;
    case fe.FE.CopyFail:
      fe.parseCopyFail(body);
      break;
    case fe.FE.Password:
      // The same type byte carries several messages; try each reading.
      tryAll([() => fe.parsePassword(body), () => fe.parseSASLInitialResponse(body)]);
      break;
  }
}

/** Decodes a server message the way the upstream dialer and session will. */
export function decodeServer(type: number, body: Buffer): void {
  switch (type) {
    case be.BE.Authentication:
      be.parseAuthentication(body);
      break;
    case be.BE.ParameterStatus:
      be.parseParameterStatus(body);
      break;
    case be.BE.BackendKeyData:
      be.parseBackendKeyData(body);
      break;
    case be.BE.ReadyForQuery:
      be.parseReadyForQuery(body);
      break;
    case be.BE.CommandComplete:
      be.rowsFromTag(be.parseCommandComplete(body));
      break;
    case be.BE.ErrorResponse:
    case be.BE.NoticeResponse:
      be.parseErrorFields(body);
      break;
    case be.BE.NegotiateProtocolVersion:
      be.parseNegotiateProtocolVersion(body);
      break;
  }
}

function tryAll(decoders: (() => unknown)[]): void {
  let last: unknown;
  for (const d of decoders) {
    try {
      d();
      return;
    } catch (err) {
      last = err;
    }
  }
  throw last;
}
