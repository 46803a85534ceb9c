import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_DEPRECATE_EOF, CLIENT_PROTOCOL_41, CLIENT_SESSION_TRACK, MARIADB_CLIENT_CACHE_METADATA, SERVER_SESSION_STATE_CHANGED, SERVER_STATUS_AUTOCOMMIT, unionCaps } from './capabilities.js';
import { ProtocolError } from './errors.js';
import { PacketReader } from './packets.js';
import {
  decodeErr,
  decodeOk,
  decodeResultSetHeader,
  decodeServerPacket,
  encodeEof,
  encodeErr,
  encodeOk,
  encodeResultSetEnd,
  encodeResultSetHeader,
  isResultSetEnd,
} from './response.js';
import { PayloadReader, PayloadWriter } from './bytes.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** The payload of the one packet in `wire`. */
const payloadOf = (wire: Buffer) => {
  const r = new PacketReader();
  r.push(wire);
  return r.next()!.payload;
};
const P41 = CLIENT_PROTOCOL_41;

describe('basic types ("Basic Data Types")', () => {
  it('length-encoded integers at each width, and 0xFB as NULL', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [250, 'fa'],
      [251, 'fc fb 00'],
      [0xffff, 'fc ff ff'],
      [0x10000, 'fd 00 00 01'],
      [0xffffff, 'fd ff ff ff'],
      [0x1000000, 'fe 00 00 00 01 00 00 00 00'],
      [0xffffffffffffffffn, 'fe ff ff ff ff ff ff ff ff'],
    ];
    for (const [value, bytes] of cases) {
      assert.deepEqual(new PayloadWriter().lenenc(value).finish(), hex(bytes), String(value));
      assert.equal(new PayloadReader(hex(bytes), 't').lenencBig(), BigInt(value));
    }
    assert.equal(new PayloadReader(hex('fb'), 't').lenencOrNull(), null);
    assert.equal(new PayloadReader(hex('fb'), 't').lenencBytesOrNull(), null);
    for (const bad of ['ff', 'fc 01', 'fd 01 02', 'fe 01 02 03 04 05 06 07', '']) {
      assert.throws(() => new PayloadReader(hex(bad), 't').lenencBig(), ProtocolError, bad);
    }
    // A length beyond the packet, a length beyond 2^53, a string without its NUL.
    assert.throws(() => new PayloadReader(hex('05 61 62'), 't').lenencBytes(), /5 more bytes expected, 2 left/);
    assert.throws(() => new PayloadReader(hex('fe ff ff ff ff ff ff ff 7f'), 't').lenencBytesOrNull(), ProtocolError);
    assert.throws(() => new PayloadReader(hex('fe ff ff ff ff ff ff ff ff'), 't').lenenc(), /too large/);
    assert.throws(() => new PayloadReader(hex('61 62'), 't').cstring(), /not NUL-terminated/);
    assert.throws(() => new PayloadWriter().cstring('a\0b'), ProtocolError);
  });
});

describe('generic response packets', () => {
  it('OK_Packet: the example of "OK_Packet" (07 00 00 02 00 00 00 02 00 00 00)', () => {
    const payload = payloadOf(hex('07 00 00 02 00 00 00 02 00 00 00'));
    const ok = decodeOk(payload, P41);
    assert.deepEqual(ok, { header: 0, affectedRows: 0, lastInsertId: 0n, status: SERVER_STATUS_AUTOCOMMIT, warnings: 0, info: '' });
    assert.deepEqual(encodeOk({ status: SERVER_STATUS_AUTOCOMMIT }, P41), payload);
  });

  it('ERR_Packet: the example of "ERR_Packet" (1096 HY000 No tables used)', () => {
    const payload = payloadOf(hex('17 00 00 01 ff 48 04 23 48 59 30 30 30 4e 6f 20 74 61 62 6c 65 73 20 75 73 65 64'));
    const err = decodeErr(payload);
    assert.deepEqual(err, { code: 1096, sqlstate: 'HY000', message: 'No tables used' });
    assert.deepEqual(encodeErr(err), payload);
    // Sent in place of the greeting, an ERR has no SQLSTATE marker.
    assert.deepEqual(decodeErr(hex('ff 10 04 54 6f 6f 20 6d 61 6e 79')), { code: 1040, sqlstate: 'HY000', message: 'Too many' });
    assert.throws(() => decodeErr(hex('ff 10')), ProtocolError);
  });

  it('EOF_Packet: the example of "EOF_Packet" (05 00 00 05 fe 00 00 02 00)', () => {
    const payload = payloadOf(hex('05 00 00 05 fe 00 00 02 00'));
    assert.deepEqual(decodeServerPacket(payload, P41), { kind: 'eof', warnings: 0, status: 2 });
    assert.deepEqual(encodeEof({ warnings: 0, status: 2 }), payload);
    assert.ok(isResultSetEnd(payload, P41));
  });

  it('OK with session tracking, info and session state; the 0xFE OK that replaces EOF', () => {
    const caps = unionCaps(P41, CLIENT_SESSION_TRACK, CLIENT_DEPRECATE_EOF);
    const ok = { header: 0, affectedRows: 300, lastInsertId: 2n ** 60n, status: SERVER_SESSION_STATE_CHANGED | 2, warnings: 3, info: 'Rows matched: 300', sessionState: hex('00 0a 0a 61 75 74 6f 63 6f 6d 6d 69 74 00') };
    assert.deepEqual(decodeOk(encodeOk(ok, caps), caps), ok);
    const plain = { header: 0, affectedRows: 1, lastInsertId: 0n, status: 2, warnings: 0, info: '' };
    assert.equal(encodeOk(plain, caps).length, 7); // the empty info is left out
    assert.deepEqual(decodeOk(encodeOk(plain, caps), caps), plain);
    assert.deepEqual(decodeOk(encodeOk({ ...plain, info: 'x y' }, P41), P41).info, 'x y'); // string<EOF> without session tracking
    const end = encodeResultSetEnd({ status: 0x22, warnings: 1 }, caps);
    assert.equal(end[0], 0xfe);
    assert.deepEqual(decodeServerPacket(end, caps), { kind: 'ok', header: 0xfe, affectedRows: 0, lastInsertId: 0n, status: 0x22, warnings: 1, info: '' });
  });

  it('tells a result set end from a text row that starts with 0xFE', () => {
    const caps = unionCaps(P41, CLIENT_DEPRECATE_EOF);
    assert.ok(isResultSetEnd(hex('fe 00 00 02 00 00 00'), caps));
    assert.ok(!isResultSetEnd(Buffer.concat([hex('fe 00 00 00 01 00 00 00 00'), Buffer.alloc(0xffffff - 9)]), caps));
    assert.ok(!isResultSetEnd(hex('fe 00 00 02 00 00 00 00 00'), P41)); // 9 bytes: not an EOF without CLIENT_DEPRECATE_EOF
  });

  it('classifies the first packet of a response', () => {
    assert.equal(decodeServerPacket(hex('00 01 00 02 00 00 00'), P41).kind, 'ok');
    assert.equal(decodeServerPacket(hex('ff 01 00'), P41).kind, 'error');
    assert.deepEqual(decodeServerPacket(hex('fb 2f 74 6d 70 2f 66'), P41), { kind: 'local-infile', filename: '/tmp/f' });
    assert.deepEqual(decodeServerPacket(hex('03'), P41), { kind: 'result-set', columnCount: 3, metadataFollows: true });
    assert.deepEqual(decodeServerPacket(hex('fc 00 01'), P41), { kind: 'result-set', columnCount: 256, metadataFollows: true });
    assert.throws(() => decodeServerPacket(hex(''), P41), ProtocolError);
    assert.throws(() => decodeServerPacket(hex('00'), P41), ProtocolError);
    assert.throws(() => decodeServerPacket(hex('03 00'), P41), /trailing/);
    // MariaDB's metadata cache: a "metadata follows" byte after the count.
    const cache = unionCaps(P41, MARIADB_CLIENT_CACHE_METADATA);
    assert.deepEqual(decodeResultSetHeader(encodeResultSetHeader(2, cache, false), cache), { columnCount: 2, metadataFollows: false });
  });
});
