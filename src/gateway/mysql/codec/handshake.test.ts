import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_CONNECT_ATTRS,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_MYSQL,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION,
  CLIENT_SSL,
  hasCaps,
  MARIADB_CLIENT_CACHE_METADATA,
  MARIADB_CLIENT_PROGRESS,
  unionCaps,
  withoutCaps,
} from './capabilities.js';
import { ProtocolError } from './errors.js';
import {
  decodeAuthPacket,
  decodeAuthSwitchRequest,
  decodeHandshakeResponse41,
  decodeHandshakeV10,
  decodeSslRequest,
  encodeAuthMoreData,
  encodeAuthSwitchRequest,
  encodeHandshakeResponse41,
  encodeHandshakeV10,
  encodeSslRequest,
  isSslRequest,
} from './handshake.js';
import type { HandshakeResponse41, HandshakeV10 } from './handshake.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('connection phase packets', () => {
  it('HandshakeV10: the example of "Protocol::HandshakeV10" (MySQL 5.5.2-m2, no CLIENT_PLUGIN_AUTH)', () => {
    const wire = hex(`36 00 00 00 0a 35 2e 35 2e 32 2d 6d 32 00 0b 00
                      00 00 64 76 48 40 49 2d 43 4a 00 ff f7 08 02 00
                      00 00 00 00 00 00 00 00 00 00 00 00 00 2a 34 64
                      7c 63 5a 77 6b 34 5e 5d 3a 00`);
    assert.equal(wire.readUIntLE(0, 3), wire.length - 4);
    const h = decodeHandshakeV10(wire.subarray(4));
    assert.equal(h.serverVersion, '5.5.2-m2');
    assert.equal(h.connectionId, 11);
    assert.equal(h.scramble.toString('latin1'), 'dvH@I-CJ*4d|cZwk4^]:');
    assert.equal(h.capabilities, 0xf7ff);
    assert.equal(h.characterSet, 8);
    assert.equal(h.status, 2);
    assert.equal(h.authPluginName, '');
  });

  it('HandshakeV10 round trip, with MariaDB extended capabilities in the filler when CLIENT_MYSQL is clear', () => {
    const base = unionCaps(CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH, CLIENT_SSL);
    const h: HandshakeV10 = {
      serverVersion: '5.5.5-10.11.6-MariaDB',
      connectionId: 0xfffffffe,
      scramble: Buffer.from('0123456789abcdefghij'),
      capabilities: unionCaps(base, MARIADB_CLIENT_PROGRESS, MARIADB_CLIENT_CACHE_METADATA),
      characterSet: 45,
      status: 2,
      authPluginName: 'mysql_native_password',
    };
    const payload = encodeHandshakeV10(h);
    assert.deepEqual(decodeHandshakeV10(payload), h);
    assert.equal(payload[payload.indexOf(0) + 1 + 4 + 8 + 1 + 2 + 1 + 2 + 2], 21); // auth data length: 20 and the NUL
    // A MySQL server (CLIENT_MYSQL set) has no extended capabilities: the filler is not read as such.
    const mysql = { ...h, serverVersion: '8.0.36', capabilities: unionCaps(base, CLIENT_MYSQL), authPluginName: 'caching_sha2_password' };
    const bytes = encodeHandshakeV10(mysql);
    assert.deepEqual(decodeHandshakeV10(bytes), mysql);
    assert.throws(() => decodeHandshakeV10(hex('09 61 00')), /protocol version 9/);
    assert.throws(() => decodeHandshakeV10(payload.subarray(0, 20)), ProtocolError);
  });

  it('HandshakeResponse41: the example of "Protocol::HandshakeResponse41" (user pam, database test)', () => {
    const wire = hex(`54 00 00 01 8d a6 0f 00 00 00 00 01 08 00 00 00
                      00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                      00 00 00 00 70 61 6d 00 14 ab 09 ee f6 bc b1 32
                      3e 61 14 38 65 c0 99 1d 95 7d 75 d4 47 74 65 73
                      74 00 6d 79 73 71 6c 5f 6e 61 74 69 76 65 5f 70
                      61 73 73 77 6f 72 64 00`);
    assert.equal(wire.readUIntLE(0, 3), wire.length - 4);
    const r = decodeHandshakeResponse41(wire.subarray(4));
    assert.equal(r.capabilities, 0x000fa68d);
    assert.equal(r.maxPacketSize, 16777216);
    assert.equal(r.characterSet, 8);
    assert.equal(r.username, 'pam');
    assert.equal(r.authResponse.toString('hex'), 'ab09eef6bcb1323e61143865c0991d957d75d447');
    assert.equal(r.database, 'test');
    assert.equal(r.authPluginName, 'mysql_native_password');
    assert.deepEqual(encodeHandshakeResponse41(r), wire.subarray(4));
  });

  it('HandshakeResponse41 round trips in all three auth-response encodings, with attributes and MariaDB capabilities', () => {
    const base = unionCaps(CLIENT_PROTOCOL_41, CLIENT_PLUGIN_AUTH, CLIENT_CONNECT_WITH_DB, CLIENT_CONNECT_ATTRS, MARIADB_CLIENT_PROGRESS);
    const h: HandshakeResponse41 = {
      capabilities: unionCaps(base, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA),
      maxPacketSize: 1 << 30,
      characterSet: 255,
      username: 'ålice',
      authResponse: Buffer.alloc(300, 1), // over 255 bytes: only the lenenc encoding holds it
      database: 'orders',
      authPluginName: 'caching_sha2_password',
      attributes: new Map([['_os', 'Linux'], ['program_name', 'mysql'], ['', '']]),
    };
    assert.deepEqual(decodeHandshakeResponse41(encodeHandshakeResponse41(h)), h);
    const secure = { ...h, capabilities: withoutCaps(h.capabilities, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA), authResponse: Buffer.alloc(20, 2) };
    assert.deepEqual(decodeHandshakeResponse41(encodeHandshakeResponse41(secure)), secure);
    assert.throws(() => encodeHandshakeResponse41({ ...secure, authResponse: Buffer.alloc(256) }), RangeError);
    const nul = { ...h, capabilities: withoutCaps(h.capabilities, unionCaps(CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, CLIENT_SECURE_CONNECTION)), authResponse: Buffer.from('secret') };
    assert.deepEqual(decodeHandshakeResponse41(encodeHandshakeResponse41(nul)), nul);
    // An empty password: an empty auth response.
    const empty = { ...secure, authResponse: Buffer.alloc(0) };
    assert.deepEqual(decodeHandshakeResponse41(encodeHandshakeResponse41(empty)).authResponse, Buffer.alloc(0));
    // Optional fields a client leaves off the end read as empty; a pre-4.1 client is refused.
    const bare = encodeHandshakeResponse41({ ...secure, attributes: new Map() });
    const cut = bare.subarray(0, bare.indexOf('orders'));
    assert.deepEqual([decodeHandshakeResponse41(cut).database, decodeHandshakeResponse41(cut).authPluginName], ['', '']);
    assert.throws(() => decodeHandshakeResponse41(hex('00 00 00 00')), /pre-4\.1/);
  });

  it('SSLRequest: the first 32 bytes of a HandshakeResponse41 with CLIENT_SSL', () => {
    const caps = unionCaps(CLIENT_PROTOCOL_41, CLIENT_SSL, CLIENT_SECURE_CONNECTION, MARIADB_CLIENT_PROGRESS);
    const ssl = encodeSslRequest(caps, 1 << 24, 45);
    assert.equal(ssl.length, 32);
    assert.ok(isSslRequest(ssl));
    assert.deepEqual(decodeSslRequest(ssl), { capabilities: caps, maxPacketSize: 1 << 24, characterSet: 45 });
    const full = encodeHandshakeResponse41({ capabilities: caps, maxPacketSize: 1 << 24, characterSet: 45, username: 'a', authResponse: Buffer.alloc(0) });
    assert.ok(!isSslRequest(full));
    assert.deepEqual(full.subarray(0, 32), ssl);
    assert.ok(!isSslRequest(encodeSslRequest(withoutCaps(caps, CLIENT_SSL), 0, 45)));
    assert.throws(() => decodeSslRequest(full), ProtocolError);
  });

  it('AuthSwitchRequest, AuthMoreData and the authentication packet classifier', () => {
    const req = { pluginName: 'mysql_native_password', data: Buffer.concat([Buffer.alloc(20, 3), Buffer.from([0])]) };
    assert.deepEqual(decodeAuthSwitchRequest(encodeAuthSwitchRequest(req)), req);
    assert.deepEqual(decodeAuthSwitchRequest(hex('fe')), { pluginName: 'mysql_old_password', data: Buffer.alloc(0) });
    assert.deepEqual(decodeAuthPacket(encodeAuthMoreData(Buffer.from([3])), CLIENT_PROTOCOL_41), { kind: 'more-data', data: Buffer.from([3]) });
    assert.equal(decodeAuthPacket(encodeAuthSwitchRequest(req), CLIENT_PROTOCOL_41).kind, 'switch');
    assert.equal(decodeAuthPacket(hex('00 00 00 02 00 00 00'), CLIENT_PROTOCOL_41).kind, 'ok');
    assert.deepEqual(decodeAuthPacket(hex('ff 15 04 23 32 38 30 30 30 6e 6f'), CLIENT_PROTOCOL_41), { kind: 'error', code: 1045, sqlstate: '28000', message: 'no' });
    assert.throws(() => decodeAuthPacket(hex('07'), CLIENT_PROTOCOL_41), /header 0x7/);
    assert.throws(() => decodeAuthPacket(hex(''), CLIENT_PROTOCOL_41), ProtocolError);
    assert.ok(hasCaps(unionCaps(CLIENT_SSL, MARIADB_CLIENT_PROGRESS), MARIADB_CLIENT_PROGRESS));
  });
});
