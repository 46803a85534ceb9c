import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as be from './backend.js';
import { ProtocolError } from './errors.js';
import type { ErrorFields } from './error-fields.js';

function body(message: Buffer, type: number): Buffer {
  assert.equal(message[0], type);
  assert.equal(message.readInt32BE(1), message.length - 1);
  return message.subarray(5);
}

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.sqlstate, '08P01');
    return true;
  });
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b = (s: string) => Buffer.from(s, 'latin1');

describe('backend messages: exact bytes', () => {
  it('matches the layouts of "Message Formats"', () => {
    assert.deepEqual(be.authenticationOk(), hex('52 00000008 00000000'));
    assert.deepEqual(be.authenticationCleartextPassword(), hex('52 00000008 00000003'));
    assert.deepEqual(be.authenticationMD5Password(hex('01020304')), hex('52 0000000c 00000005 01020304'));
    assert.deepEqual(be.authenticationSASL(['A']), Buffer.concat([hex('52 0000000b 0000000a'), b('A\0\0')]));
    assert.deepEqual(be.readyForQuery('T'), hex('5a 00000005 54'));
    assert.deepEqual(be.backendKeyData(1, hex('0a0b0c0d')), hex('4b 0000000c 00000001 0a0b0c0d'));
    assert.deepEqual(be.emptyQueryResponse(), hex('49 00000004'));
    assert.deepEqual(be.negotiateProtocolVersion(0, ['_pq_.a']), Buffer.concat([hex('76 00000013 00030000 00000001'), b('_pq_.a\0')]));
    assert.deepEqual(be.errorResponse({ severity: 'ERROR', code: '42000', message: 'm' }), Buffer.concat([hex('45 0000001d'), b('SERROR\0VERROR\0C42000\0Mm\0\0')]));
  });
});

describe('backend messages: round trips', () => {
  it('ErrorResponse and NoticeResponse with every field of "Error and Notice Message Fields"', () => {
    const fields: ErrorFields = {
      severity: 'FEHLER',
      severityNonLocalized: 'ERROR',
      code: '23505',
      message: 'doppelter Schlüsselwert',
      detail: 'Key (id)=(1) already exists.',
      hint: 'h',
      position: '12',
      internalPosition: '3',
      internalQuery: 'SELECT 1',
      where: 'PL/pgSQL function f() line 3',
      schema: 'public',
      table: 't',
      column: 'id',
      dataType: 'int4',
      constraint: 't_pkey',
      file: 'nbtinsert.c',
      line: '666',
      routine: '_bt_check_unique',
    };
    assert.deepEqual(be.parseErrorFields(body(be.errorResponse(fields), be.BE.ErrorResponse)), fields);
    const notice = { severity: 'NOTICE', code: '00000', message: 'n' };
    assert.deepEqual(be.parseErrorFields(body(be.noticeResponse(notice), be.BE.NoticeResponse)), { ...notice, severityNonLocalized: 'NOTICE' });
  });

  it('skips unknown field types and falls back to V when S is missing', () => {
    const raw = Buffer.concat([b('VFATAL\0C28P01\0Mbad\0Zfuture field\0'), hex('00')]);
    assert.deepEqual(be.parseErrorFields(raw), { severity: 'FATAL', severityNonLocalized: 'FATAL', code: '28P01', message: 'bad' });
  });

  it('Authentication requests', () => {
    const cases: [Buffer, be.AuthenticationRequest][] = [
      [be.authenticationOk(), { kind: 'ok' }],
      [be.authenticationCleartextPassword(), { kind: 'cleartext' }],
      [be.authenticationMD5Password(hex('deadbeef')), { kind: 'md5', salt: hex('deadbeef') }],
      [be.authenticationSASL(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']), { kind: 'sasl', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }],
      [be.authenticationSASL([]), { kind: 'sasl', mechanisms: [] }],
      [be.authenticationSASLContinue(b('r=x,s=y,i=1')), { kind: 'sasl-continue', data: b('r=x,s=y,i=1') }],
      [be.authenticationSASLFinal(b('v=abc')), { kind: 'sasl-final', data: b('v=abc') }],
      [hex('52 00000008 00000007'), { kind: 'other', code: 7 }],
      [hex('52 0000000a 00000008 0102'), { kind: 'other', code: 8 }],
    ];
    for (const [message, expected] of cases) assert.deepEqual(be.parseAuthentication(body(message, be.BE.Authentication)), expected);
  });

  it('ParameterStatus, BackendKeyData (3.0 and 3.2 keys), ReadyForQuery, CommandComplete, NegotiateProtocolVersion', () => {
    assert.deepEqual(be.parseParameterStatus(body(be.parameterStatus('TimeZone', 'Europe/Zürich'), be.BE.ParameterStatus)), { name: 'TimeZone', value: 'Europe/Zürich' });
    for (const n of [4, 32, 256]) {
      const secret = Buffer.alloc(n, 9);
      assert.deepEqual(be.parseBackendKeyData(body(be.backendKeyData(99, secret), be.BE.BackendKeyData)), { pid: 99, secret });
    }
    assert.throws(() => be.backendKeyData(1, Buffer.alloc(3)), RangeError);
    for (const s of ['I', 'T', 'E'] as const) assert.equal(be.parseReadyForQuery(body(be.readyForQuery(s), be.BE.ReadyForQuery)), s);
    assert.equal(be.parseCommandComplete(body(be.commandComplete('INSERT 0 5'), be.BE.CommandComplete)), 'INSERT 0 5');
    assert.deepEqual(be.parseNegotiateProtocolVersion(body(be.negotiateProtocolVersion(2, ['_pq_.a', '_pq_.b']), be.BE.NegotiateProtocolVersion)), {
      newestMinor: 2,
      unrecognized: ['_pq_.a', '_pq_.b'],
    });
  });

  it('rowsFromTag reads the counts of "CommandComplete"', () => {
    const cases: [string, number | null][] = [
      ['INSERT 0 5', 5],
      ['INSERT 16385 1', 1],
      ['UPDATE 3', 3],
      ['DELETE 0', 0],
      ['MERGE 2', 2],
      ['SELECT 10', 10],
      ['COPY 7', 7],
      ['FETCH 4', 4],
      ['MOVE 9', 9],
      ['SELECT 12345678901', 12345678901],
      ['CREATE TABLE', null],
      ['BEGIN', null],
      ['INSERT 5', null],
      ['UPDATE', null],
      ['UPDATE x', null],
      ['UPDATE -1', null],
      ['SELECT 1 2', null],
      ['SELECT ', null],
      ['SELECT 5x', null],
      ['INSERT 0 ', null],
      ['INSERT 0 5 6', null],
      ['INSERT  5', 5],
      ['', null],
    ];
    for (const [tag, rows] of cases) assert.equal(be.rowsFromTag(tag), rows, tag);
  });

  it('ProtocolError renders as the fields of a FATAL ErrorResponse', () => {
    const e = new ProtocolError('invalid message length', '08P01');
    const fields = be.parseErrorFields(body(be.errorResponse(e.toFields()), be.BE.ErrorResponse));
    assert.deepEqual(fields, { severity: 'FATAL', severityNonLocalized: 'FATAL', code: '08P01', message: 'invalid message length' });
  });
});

describe('backend messages: malformed bodies are ProtocolErrors', () => {
  it('ErrorResponse without terminator, without S/C/M, with trailing bytes', () => {
    rejects(() => be.parseErrorFields(b('SERROR\0C1\0Mm\0')), /expected/);
    rejects(() => be.parseErrorFields(b('SERROR\0C1\0Mm')), /NUL-terminated/);
    rejects(() => be.parseErrorFields(b('SERROR\0Mm\0\0')), /S, C and M/);
    rejects(() => be.parseErrorFields(b('\0')), /S, C and M/);
    rejects(() => be.parseErrorFields(b('SERROR\0C1\0Mm\0\0x')), /trailing/);
  });

  it('Authentication of every kind, cut short or overlong', () => {
    rejects(() => be.parseAuthentication(hex('000000')), /Authentication/);
    rejects(() => be.parseAuthentication(hex('00000000 00')), /trailing/);
    rejects(() => be.parseAuthentication(hex('00000003 00')), /trailing/);
    rejects(() => be.parseAuthentication(hex('00000005 010203')), /expected/);
    rejects(() => be.parseAuthentication(hex('00000005 0102030405')), /trailing/);
    rejects(() => be.parseAuthentication(Buffer.concat([hex('0000000a'), b('SCRAM-SHA-256\0')])), /NUL-terminated/);
    rejects(() => be.parseAuthentication(Buffer.concat([hex('0000000a'), b('SCRAM-SHA-256\0\0x')])), /trailing/);
  });

  it('ParameterStatus, BackendKeyData, ReadyForQuery, CommandComplete, NegotiateProtocolVersion', () => {
    rejects(() => be.parseParameterStatus(b('a\0')), /NUL-terminated/);
    rejects(() => be.parseParameterStatus(b('a\0b\0c')), /trailing/);
    rejects(() => be.parseBackendKeyData(hex('00000001 010203')), /key of 3 bytes/);
    rejects(() => be.parseBackendKeyData(Buffer.concat([hex('00000001'), Buffer.alloc(257)])), /key of 257 bytes/);
    rejects(() => be.parseBackendKeyData(hex('0000')), /expected/);
    rejects(() => be.parseReadyForQuery(b('X')), /transaction status 0x58/);
    rejects(() => be.parseReadyForQuery(b('')), /expected/);
    rejects(() => be.parseReadyForQuery(b('II')), /trailing/);
    rejects(() => be.parseCommandComplete(b('SELECT 1')), /NUL-terminated/);
    rejects(() => be.parseNegotiateProtocolVersion(hex('00000000 ffffffff')), /option count -1/);
    assert.equal(be.parseNegotiateProtocolVersion(hex('00000001 00000000')).newestMinor, 1); // a bare minor, as the section words it
    rejects(() => be.parseNegotiateProtocolVersion(hex('00000000 00000002 6100')), /NUL-terminated|expected/);
  });
});
