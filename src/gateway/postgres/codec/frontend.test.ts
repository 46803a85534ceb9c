import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fe from './frontend.js';
import { ProtocolError } from './errors.js';

/** The body of an encoded typed message (after type and length), checking the length field. */
function body(message: Buffer, type: number): Buffer {
  assert.equal(message[0], type);
  assert.equal(message.readInt32BE(1), message.length - 1);
  return message.subarray(5);
}

/** The body of an encoded startup-phase packet. */
function startupBody(packet: Buffer): Buffer {
  assert.equal(packet.readInt32BE(0), packet.length);
  return packet.subarray(4);
}

function rejects(fn: () => unknown, pattern: RegExp, sqlstate = '08P01'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected a ProtocolError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.equal(e.sqlstate, sqlstate);
    return true;
  });
}

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const b = (s: string) => Buffer.from(s, 'latin1');

describe('frontend messages: exact bytes', () => {
  it('matches the layouts of "Message Formats"', () => {
    assert.deepEqual(fe.sslRequest(), hex('00000008 04d2162f'));
    assert.deepEqual(fe.gssencRequest(), hex('00000008 04d21630'));
    assert.deepEqual(fe.cancelRequest(7, hex('0a0b0c0d')), hex('00000010 04d2162e 00000007 0a0b0c0d'));
    assert.deepEqual(fe.sync(), hex('53 00000004'));
    assert.deepEqual(fe.flush(), hex('48 00000004'));
    assert.deepEqual(fe.terminate(), hex('58 00000004'));
    assert.deepEqual(fe.copyDone(), hex('63 00000004'));
    assert.deepEqual(fe.query('SELECT 1'), Buffer.concat([hex('51 0000000d'), b('SELECT 1\0')]));
    assert.deepEqual(fe.startupMessage({ user: 'u' }), Buffer.concat([hex('00000010 00030000'), b('user\0u\0\0')]));
    assert.deepEqual(fe.startupMessage({ user: 'u' }, 2).subarray(4, 8), hex('00030002'));
    assert.deepEqual(fe.execute('', 0), hex('45 00000009 00 00000000'));
    assert.deepEqual(fe.describe('S', 'a'), hex('44 00000007 53 61 00'));
    assert.deepEqual(
      fe.bind({ portal: '', statement: '', paramFormats: [], params: [null, Buffer.from('x')], resultFormats: [1] }),
      hex('42 00000017 00 00 0000 0002 ffffffff 00000001 78 0001 0001'),
    );
    assert.deepEqual(fe.saslInitialResponse('M', Buffer.from('ab')), hex('70 0000000c 4d00 00000002 6162'));
    assert.deepEqual(fe.saslResponse(Buffer.from('ab')), hex('70 00000006 6162'));
  });
});

describe('frontend messages: round trips', () => {
  it('StartupMessage for 3.0 and 3.2, protocol options apart, UTF-8 kept', () => {
    const packet = fe.startupMessage({ user: 'ålice', database: 'app', _pq_: 'x', '_pq_.compress': 'on', options: '-c a=b' }, 2);
    const parsed = fe.parseStartup(startupBody(packet));
    assert.ok(parsed.kind === 'startup');
    assert.equal(parsed.major, 3);
    assert.equal(parsed.minor, 2);
    assert.deepEqual([...parsed.params], [['user', 'ålice'], ['database', 'app'], ['_pq_', 'x'], ['options', '-c a=b']]);
    assert.deepEqual(parsed.protocolOptions, ['_pq_.compress']);
    const empty = fe.parseStartup(startupBody(fe.startupMessage({})));
    assert.ok(empty.kind === 'startup' && empty.params.size === 0 && empty.minor === 0);
  });

  it('SSLRequest, GSSENCRequest, CancelRequest with 4, 32 and 256 byte keys', () => {
    assert.deepEqual(fe.parseStartup(startupBody(fe.sslRequest())), { kind: 'ssl' });
    assert.deepEqual(fe.parseStartup(startupBody(fe.gssencRequest())), { kind: 'gssenc' });
    for (const n of [4, 32, 256]) {
      const secret = Buffer.alloc(n, n);
      assert.deepEqual(fe.parseStartup(startupBody(fe.cancelRequest(123456, secret))), { kind: 'cancel', pid: 123456, secret });
    }
    assert.throws(() => fe.cancelRequest(1, Buffer.alloc(3)), ProtocolError);
    assert.throws(() => fe.cancelRequest(1, Buffer.alloc(257)), ProtocolError);
  });

  it('Query, Parse, Bind, Describe, Close, Execute', () => {
    assert.equal(fe.parseQuery(body(fe.query('SELECT \'ü\'; -- ✓'), fe.FE.Query)), "SELECT 'ü'; -- ✓");
    assert.equal(fe.parseQuery(body(fe.query(''), fe.FE.Query)), '');
    const p = { name: 'st', query: 'SELECT $1::int, $2', paramTypes: [23, 0, 4294967295] };
    assert.deepEqual(fe.parseParse(body(fe.parse(p), fe.FE.Parse)), p);
    const bindings = [
      { portal: 'p1', statement: 'st', paramFormats: [1], params: [Buffer.from([0, 0, 0, 1]), null, Buffer.alloc(0)], resultFormats: [0, 1] },
      { portal: '', statement: '', paramFormats: [], params: [], resultFormats: [] },
      { portal: '', statement: 's', paramFormats: [0, 1], params: [Buffer.alloc(70000, 1), null], resultFormats: [] },
    ];
    for (const m of bindings) assert.deepEqual(fe.parseBind(body(fe.bind(m), fe.FE.Bind)), m);
    assert.deepEqual(fe.parseDescribe(body(fe.describe('S', 'st'), fe.FE.Describe)), { kind: 'S', name: 'st' });
    assert.deepEqual(fe.parseDescribe(body(fe.describe('P', ''), fe.FE.Describe)), { kind: 'P', name: '' });
    assert.deepEqual(fe.parseClose(body(fe.close('P', 'p1'), fe.FE.Close)), { kind: 'P', name: 'p1' });
    assert.deepEqual(fe.parseExecute(body(fe.execute('p1', 100), fe.FE.Execute)), { portal: 'p1', maxRows: 100 });
  });

  it('the messages of type p: password, SASLInitialResponse, SASLResponse', () => {
    assert.equal(fe.parsePassword(body(fe.passwordMessage('md5abc'), fe.FE.Password)), 'md5abc');
    const data = Buffer.from('n,,n=,r=nonce');
    assert.deepEqual(fe.parseSASLInitialResponse(body(fe.saslInitialResponse('SCRAM-SHA-256', data), fe.FE.Password)), { mechanism: 'SCRAM-SHA-256', data });
    assert.deepEqual(fe.parseSASLInitialResponse(Buffer.concat([b('SCRAM-SHA-256\0'), hex('ffffffff')])), { mechanism: 'SCRAM-SHA-256', data: null });
    assert.deepEqual(body(fe.saslResponse(data), fe.FE.Password), data);
  });

  it('CopyData, CopyDone, CopyFail', () => {
    const rows = Buffer.from('1\tx\n');
    assert.deepEqual(body(fe.copyData(rows), fe.FE.CopyData), rows);
    assert.equal(body(fe.copyDone(), fe.FE.CopyDone).length, 0);
    assert.equal(fe.parseCopyFail(body(fe.copyFail('stop'), fe.FE.CopyFail)), 'stop');
  });

  it('encoders refuse a NUL inside a string and counts beyond Int16', () => {
    assert.throws(() => fe.query('a\0b'), ProtocolError);
    assert.throws(() => fe.startupMessage({ user: 'a\0' }), ProtocolError);
    assert.throws(() => fe.parse({ name: '', query: 'x', paramTypes: new Array(65536).fill(0) }), ProtocolError);
  });
});

describe('frontend messages: malformed bodies are ProtocolErrors', () => {
  it('StartupMessage: unsupported versions, missing terminator, dangling name, trailing bytes, request sizes', () => {
    rejects(() => fe.parseStartup(hex('00020000')), /unsupported frontend protocol 2\.0: server supports 3\.0 to 3\.2/, '0A000');
    rejects(() => fe.parseStartup(hex('00040000 00')), /unsupported frontend protocol 4\.0/, '0A000');
    rejects(() => fe.parseStartup(hex('04d2ffff')), /unsupported frontend protocol 1234\.65535/, '0A000');
    rejects(() => fe.parseStartup(hex('00030000')), /not NUL-terminated/);
    rejects(() => fe.parseStartup(Buffer.concat([hex('00030000'), b('user\0u\0')])), /not NUL-terminated/);
    rejects(() => fe.parseStartup(Buffer.concat([hex('00030000'), b('user\0')])), /not NUL-terminated/);
    rejects(() => fe.parseStartup(Buffer.concat([hex('00030000'), b('user\0u\0\0x')])), /trailing/);
    rejects(() => fe.parseStartup(hex('000300')), /expected/);
    rejects(() => fe.parseStartup(hex('04d2162f 00')), /trailing/);
    rejects(() => fe.parseStartup(hex('04d21630 00')), /trailing/);
    rejects(() => fe.parseStartup(hex('04d2162e 00000001 0a0b0c')), /key of 3 bytes/);
    rejects(() => fe.parseStartup(Buffer.concat([hex('04d2162e 00000001'), Buffer.alloc(257)])), /key of 257 bytes/);
    rejects(() => fe.parseStartup(hex('04d2162e 0000')), /expected/);
  });

  it('strings without NUL, trailing bytes and empty bodies', () => {
    for (const decode of [fe.parseQuery, fe.parsePassword, fe.parseCopyFail, fe.parseParse, fe.parseBind, fe.parseDescribe, fe.parseClose, fe.parseExecute, fe.parseSASLInitialResponse]) {
      rejects(() => decode(Buffer.alloc(0)), /invalid \w+ message/);
      rejects(() => decode(b('abc')), /invalid \w+ message/);
    }
    rejects(() => fe.parseQuery(b('SELECT 1\0x')), /1 unexpected trailing bytes/);
    rejects(() => fe.parsePassword(b('pw\0\0')), /trailing/);
    rejects(() => fe.parseExecute(b('p\0\0\0\0\0\0')), /trailing/);
    rejects(() => fe.parseDescribe(b('Sname\0more')), /trailing/);
  });

  it('counts that run past the end', () => {
    rejects(() => fe.parseParse(Buffer.concat([b('s\0q\0'), hex('0003 00000017')])), /Parse message: 4 more bytes expected/);
    rejects(() => fe.parseParse(Buffer.concat([b('s\0q\0'), hex('00')])), /Parse/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0005 0000')])), /Bind/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0000 0002 00000001 78')])), /Bind/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0000 0001 00000010 78 0000')])), /Bind/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0000 0000 0002 0000')])), /Bind/);
    rejects(() => fe.parseSASLInitialResponse(Buffer.concat([b('M\0'), hex('00000009 6162')])), /SASLInitialResponse/);
  });

  it('negative lengths other than -1, mismatched format counts, bad subtypes', () => {
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0000 0001 fffffffe 0000')])), /parameter 1 has length -2/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0000 0001 80000000 0000')])), /length -2147483648/);
    rejects(() => fe.parseBind(Buffer.concat([b('\0\0'), hex('0002 0000 0001 0003 ffffffff ffffffff ffffffff 0000')])), /2 parameter formats but 3 parameters/);
    rejects(() => fe.parseSASLInitialResponse(Buffer.concat([b('M\0'), hex('fffffffe')])), /data length -2/);
    rejects(() => fe.parseDescribe(b('X\0')), /subtype 0x58/);
    rejects(() => fe.parseClose(b('s\0')), /subtype 0x73/);
  });
});
