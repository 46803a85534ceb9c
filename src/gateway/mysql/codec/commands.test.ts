import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_CONNECT_ATTRS, CLIENT_PLUGIN_AUTH, CLIENT_PROTOCOL_41, CLIENT_QUERY_ATTRIBUTES, CLIENT_SECURE_CONNECTION, unionCaps } from './capabilities.js';
import { COM, CURSOR_TYPE, TYPE } from './constants.js';
import { ProtocolError } from './errors.js';
import { PacketReader } from './packets.js';
import { commandName, decodeCommand, encodeCommand } from './commands.js';
import type { EncodableCommand } from './commands.js';
import { decodeStmtExecute, encodeStmtExecute } from './stmt-execute.js';
import type { ParamInput } from './params.js';
import { decodeBinaryRow, decodeColumnDefinition, decodeTextRow, encodeColumnDefinition, encodeTextRow } from './result-set.js';
import { PayloadWriter } from './bytes.js';
import { buildNullBitmap, writeBinaryValue } from './binary-values.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const CAPS = unionCaps(CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION, CLIENT_PLUGIN_AUTH, CLIENT_CONNECT_ATTRS);
const ATTRS = unionCaps(CAPS, CLIENT_QUERY_ATTRIBUTES);

describe('commands', () => {
  it('COM_QUERY: the example of "COM_QUERY" (select @@version_comment limit 1)', () => {
    const wire = hex('21 00 00 00 03 73 65 6c 65 63 74 20 40 40 76 65 72 73 69 6f 6e 5f 63 6f 6d 6d 65 6e 74 20 6c 69 6d 69 74 20 31');
    const reader = new PacketReader();
    reader.push(wire);
    const payload = reader.next()!.payload;
    assert.deepEqual(decodeCommand(payload, CAPS), { kind: 'query', query: 'select @@version_comment limit 1' });
    assert.deepEqual(encodeCommand({ kind: 'query', query: 'select @@version_comment limit 1' }, CAPS), payload);
  });

  it('every command round trips', () => {
    const commands: EncodableCommand[] = [
      { kind: 'quit' },
      { kind: 'init-db', database: 'orders' },
      { kind: 'query', query: "SELECT 'ünï' -- ✓" },
      { kind: 'field-list', table: 'orders', wildcard: 'id%' },
      { kind: 'statistics' },
      { kind: 'ping' },
      { kind: 'process-kill', connectionId: 12 },
      { kind: 'change-user', username: 'bob', authResponse: Buffer.alloc(20, 1), database: 'db', characterSet: 45, authPluginName: 'mysql_native_password', attributes: new Map([['a', 'b']]) },
      { kind: 'stmt-prepare', query: 'SELECT ?' },
      { kind: 'stmt-send-long-data', statementId: 7, paramId: 1, data: Buffer.from([0, 1, 2]) },
      { kind: 'stmt-close', statementId: 7 },
      { kind: 'stmt-reset', statementId: 7 },
      { kind: 'stmt-fetch', statementId: 7, rows: 100 },
      { kind: 'set-option', option: 1 },
      { kind: 'reset-connection' },
      { kind: 'unknown', code: 0x12 },
    ];
    for (const cmd of commands) assert.deepEqual(decodeCommand(encodeCommand(cmd, CAPS), CAPS), cmd, cmd.kind);
    assert.deepEqual(decodeCommand(Buffer.from([0x17, 1, 0, 0, 0, 0, 1, 0, 0, 0]), CAPS), { kind: 'stmt-execute', statementId: 1, flags: 0, iterationCount: 1 });
    assert.deepEqual(decodeCommand(Buffer.from([0xfa]), CAPS), { kind: 'unknown', code: 0xfa });
    assert.throws(() => decodeCommand(Buffer.alloc(0), CAPS), ProtocolError);
    assert.throws(() => decodeCommand(Buffer.from([COM.STMT_CLOSE, 1, 0]), CAPS), ProtocolError);
    assert.throws(() => decodeCommand(Buffer.from([COM.STMT_CLOSE, 1, 0, 0, 0, 9]), CAPS), /trailing/);
    assert.equal(commandName(COM.STMT_EXECUTE), 'COM_STMT_EXECUTE');
    assert.equal(commandName(0xee), 'command 0xee');
  });

  it('COM_QUERY with CLIENT_QUERY_ATTRIBUTES: parameter count, set count, named values, then the text', () => {
    const cmd = { kind: 'query' as const, query: 'SELECT 1', attributes: [{ type: TYPE.VAR_STRING, unsigned: false, name: 'trace_id', value: 'abc' }, { type: TYPE.LONG, unsigned: true, name: 'n', value: null }] };
    const payload = encodeCommand(cmd, ATTRS);
    assert.deepEqual(payload.subarray(0, 4), hex('03 02 01 02')); // command, 2 parameters, 1 set, NULL bitmap (the second)
    assert.deepEqual(decodeCommand(payload, ATTRS), cmd);
    assert.deepEqual(decodeCommand(encodeCommand({ kind: 'query', query: 'SELECT 2' }, ATTRS), ATTRS), { kind: 'query', query: 'SELECT 2', attributes: [] });
    assert.throws(() => decodeCommand(hex('03 00 02 53'), ATTRS), /parameter_set_count/);
  });
});

describe('COM_STMT_EXECUTE and binary values', () => {
  const params: ParamInput[] = [
    { type: TYPE.TINY, unsigned: false, value: -128 },
    { type: TYPE.TINY, unsigned: true, value: 255 },
    { type: TYPE.SHORT, unsigned: false, value: -32768 },
    { type: TYPE.YEAR, unsigned: true, value: 2024 },
    { type: TYPE.LONG, unsigned: false, value: -2147483648 },
    { type: TYPE.INT24, unsigned: true, value: 16777215 },
    { type: TYPE.LONG, unsigned: true, value: 4294967295 },
    { type: TYPE.LONGLONG, unsigned: false, value: -9223372036854775808n },
    { type: TYPE.LONGLONG, unsigned: true, value: 18446744073709551615n },
    { type: TYPE.LONGLONG, unsigned: false, value: 42 },
    { type: TYPE.FLOAT, unsigned: false, value: 1.5 },
    { type: TYPE.DOUBLE, unsigned: false, value: -0.1 },
    { type: TYPE.DOUBLE, unsigned: false, value: Number.NaN },
    { type: TYPE.NEWDECIMAL, unsigned: false, value: '12345678901234567890.123' },
    { type: TYPE.VAR_STRING, unsigned: false, value: 'ünïcødé ✓' },
    { type: TYPE.BLOB, unsigned: false, value: Buffer.from([0xff, 0x00, 0xfe]) },
    { type: TYPE.DATE, unsigned: false, value: '2024-02-29' },
    { type: TYPE.DATETIME, unsigned: false, value: '2024-02-29 23:59:58' },
    { type: TYPE.TIMESTAMP, unsigned: false, value: '1999-12-31 00:00:00.000123' },
    { type: TYPE.TIME, unsigned: false, value: '-838:59:59' },
    { type: TYPE.TIME, unsigned: false, value: '12:00:01.5' },
    { type: TYPE.NULL, unsigned: false, value: null },
    { type: TYPE.VAR_STRING, unsigned: false, value: null },
    { type: TYPE.JSON, unsigned: false, value: '{"a":1}' },
  ];
  const expected = [
    -128, 255, -32768, 2024, -2147483648, 16777215, 4294967295, '-9223372036854775808', '18446744073709551615', 42, 1.5, -0.1, 'NaN',
    '12345678901234567890.123', 'ünïcødé ✓', { base64: '/wD+' }, '2024-02-29', '2024-02-29 23:59:58', '1999-12-31 00:00:00.000123', '-838:59:59',
    '12:00:01.500000', null, null, '{"a":1}',
  ];

  it('decodes the values of every type into JSON-friendly values', () => {
    const payload = encodeStmtExecute({ statementId: 9, params }, CAPS);
    const exec = decodeStmtExecute(payload, CAPS, { paramCount: params.length });
    assert.equal(exec.statementId, 9);
    assert.equal(exec.iterationCount, 1);
    assert.equal(exec.newParamsBound, true);
    assert.deepEqual(exec.params.map((p) => p.value), expected);
    assert.deepEqual(exec.params.map((p) => [p.type, p.unsigned]), params.map((p) => [p.type, p.unsigned]));
    assert.doesNotThrow(() => JSON.stringify(exec.params.map((p) => p.value)));
  });

  it('a re-execute without types uses the earlier ones; long data values are marked; a missing type binding is refused', () => {
    const two: ParamInput[] = [{ type: TYPE.LONG, unsigned: false, value: 5 }, { type: TYPE.BLOB, unsigned: false, value: null }];
    const again = encodeStmtExecute({ statementId: 1, params: two, sendTypes: false }, CAPS);
    assert.throws(() => decodeStmtExecute(again, CAPS, { paramCount: 2 }), /types were not sent/);
    const decoded = decodeStmtExecute(again, CAPS, { paramCount: 2, types: two });
    assert.deepEqual(decoded.params.map((p) => p.value), [5, null]);
    assert.equal(decoded.newParamsBound, false);
    // The second parameter got COM_STMT_SEND_LONG_DATA: the execute carries no value for it (and no NULL bit).
    const w = new PayloadWriter().u8(COM.STMT_EXECUTE).u32(1).u8(0).u32(1).bytes(buildNullBitmap([false, false], 0)).u8(1).u8(TYPE.LONG).u8(0).u8(TYPE.BLOB).u8(0);
    writeBinaryValue(w, TYPE.LONG, 7);
    assert.deepEqual(decodeStmtExecute(w.finish(), CAPS, { paramCount: 2, longData: new Set([1]) }).params.map((p) => p.value), [7, { longData: true }]);
    // No parameters; trailing bytes; a cursor flag.
    assert.deepEqual(decodeStmtExecute(encodeStmtExecute({ statementId: 3, flags: CURSOR_TYPE.READ_ONLY, params: [] }, CAPS), CAPS, { paramCount: 0 }).flags, CURSOR_TYPE.READ_ONLY);
    assert.throws(() => decodeStmtExecute(Buffer.concat([encodeStmtExecute({ statementId: 3, params: [] }, CAPS), Buffer.from([1])]), CAPS, { paramCount: 0 }), /trailing/);
    assert.throws(() => decodeStmtExecute(encodeStmtExecute({ statementId: 3, params: [] }, CAPS), CAPS, { paramCount: 1000 }), ProtocolError);
  });

  it('with CLIENT_QUERY_ATTRIBUTES: the parameter count and names, attributes after the parameters', () => {
    const withNames: ParamInput[] = [{ type: TYPE.LONG, unsigned: false, value: 1 }, { type: TYPE.VAR_STRING, unsigned: false, name: 'trace', value: 't-1' }];
    const payload = encodeStmtExecute({ statementId: 2, params: withNames }, ATTRS);
    const exec = decodeStmtExecute(payload, ATTRS, { paramCount: 1 });
    assert.deepEqual(exec.params.map((p) => [p.name, p.value]), [['', 1], ['trace', 't-1']]);
    assert.ok((exec.flags & CURSOR_TYPE.PARAMETER_COUNT_AVAILABLE) !== 0);
    assert.throws(() => decodeStmtExecute(payload, ATTRS, { paramCount: 3 }), /below the statement/);
  });

  it('result rows: column definitions, text rows, binary rows', () => {
    const col = { catalog: 'def', schema: 's', table: 't', orgTable: 'ot', name: 'n', orgName: 'on', characterSet: 63, columnLength: 20, type: TYPE.LONGLONG, flags: 0x20, decimals: 0 };
    assert.deepEqual(decodeColumnDefinition(encodeColumnDefinition(col, CAPS), CAPS), col);
    const withDefault = { ...col, defaultValue: Buffer.from('0') };
    assert.deepEqual(decodeColumnDefinition(encodeColumnDefinition(withDefault, CAPS), CAPS, true), withDefault);
    assert.throws(() => decodeColumnDefinition(hex('03 64 65 66'), CAPS), ProtocolError);
    assert.deepEqual(decodeTextRow(encodeTextRow(['a', null, '']), 3), [Buffer.from('a'), null, Buffer.alloc(0)]);
    assert.throws(() => decodeTextRow(encodeTextRow(['a']), 2), ProtocolError);
    const w = new PayloadWriter().u8(0).bytes(buildNullBitmap([false, true, false], 2));
    writeBinaryValue(w, TYPE.LONGLONG, 2n ** 63n + 1n);
    writeBinaryValue(w, TYPE.DATETIME, '2020-01-02 03:04:05');
    assert.deepEqual(decodeBinaryRow(w.finish(), [col, { type: TYPE.BLOB, flags: 0 }, { type: TYPE.DATETIME, flags: 0 }]), ['9223372036854775809', null, '2020-01-02 03:04:05']);
    assert.deepEqual(decodeBinaryRow(hex('00 00 00'), [{ type: TYPE.DATE, flags: 0 }]), ['0000-00-00']);
    assert.throws(() => decodeBinaryRow(hex('00 00 05 01 02 03 04 05'), [{ type: TYPE.DATE, flags: 0 }]), /date of length 5/);
  });

});
