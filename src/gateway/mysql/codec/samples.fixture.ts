import {
  CLIENT_CONNECT_ATTRS,
  CLIENT_CONNECT_WITH_DB,
  CLIENT_DEPRECATE_EOF,
  CLIENT_MULTI_RESULTS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION,
  CLIENT_TRANSACTIONS,
  CLIENT_MULTI_STATEMENTS,
  CLIENT_QUERY_ATTRIBUTES,
  CLIENT_SESSION_TRACK,
  CLIENT_SSL,
  MARIADB_CLIENT_PROGRESS,
  SERVER_MORE_RESULTS_EXISTS,
  SERVER_STATUS_AUTOCOMMIT,
  unionCaps,
} from './capabilities.js';
import { COM, TYPE } from './constants.js';
import { decodeCommand, encodeCommand } from './commands.js';
import { decodeAuthPacket, decodeHandshakeResponse41, decodeHandshakeV10, decodeSslRequest, encodeAuthMoreData, encodeAuthSwitchRequest, encodeHandshakeResponse41, encodeHandshakeV10, encodeSslRequest, isSslRequest } from './handshake.js';
import { encodePacket } from './packets.js';
import { decodeServerPacket, encodeErr, encodeLocalInfileRequest, encodeOk, encodeResultSetEnd } from './response.js';
import { decodeColumnDefinition, decodeTextRow, encodeColumnDefinition, textResultSet } from './result-set.js';
import { decodeStmtExecute, encodeStmtExecute } from './stmt-execute.js';
import { encodePrepareOk } from './stmt-prepare.js';
import { ProtocolError } from './errors.js';

/**
 * Realistic packet streams for the framing, split and fuzz tests: what a client sends (an
 * SSLRequest, its HandshakeResponse41, commands of every kind, a large COM_QUERY), and what a
 * server answers (greeting, authentication, result sets, errors), each packet with its
 * sequence id as on the wire.
 */

export const CAPS = unionCaps(
  CLIENT_PROTOCOL_41,
  CLIENT_TRANSACTIONS,
  CLIENT_SECURE_CONNECTION,
  CLIENT_MULTI_RESULTS,
  CLIENT_PLUGIN_AUTH,
  CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
  CLIENT_DEPRECATE_EOF,
  CLIENT_CONNECT_WITH_DB, CLIENT_CONNECT_ATTRS, CLIENT_MULTI_STATEMENTS, CLIENT_SESSION_TRACK);
export const CAPS_WITH_ATTRIBUTES = unionCaps(CAPS, CLIENT_QUERY_ATTRIBUTES, MARIADB_CLIENT_PROGRESS);

function filler(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = 0x20 + ((i * 31 + seed) % 90);
  return b;
}

/** The payloads a client sends, with their sequence ids. */
export function clientPayloads(large = 16 * 1024): [number, Buffer][] {
  return [
    [1, encodeSslRequest(unionCaps(CAPS, CLIENT_SSL), 1 << 24, 45)],
    [
      2,
      encodeHandshakeResponse41({
        capabilities: CAPS,
        maxPacketSize: 1 << 24,
        characterSet: 45,
        username: 'alice',
        authResponse: Buffer.alloc(20, 7),
        database: 'orders',
        authPluginName: 'mysql_native_password',
        attributes: new Map([['_client_name', 'libmariadb'], ['program_name', 'mysql']]),
      }),
    ],
    [0, encodeCommand({ kind: 'query', query: 'SELECT 1; SELECT now()' }, CAPS)],
    [0, encodeCommand({ kind: 'query', query: `INSERT INTO t VALUES ('${filler(large, 3).toString('latin1')}')` }, CAPS)],
    [0, encodeCommand({ kind: 'stmt-prepare', query: 'SELECT * FROM t WHERE id = ? AND name = ?' }, CAPS)],
    [0, encodeStmtExecute({ statementId: 1, params: [{ type: TYPE.LONGLONG, unsigned: false, value: 42 }, { type: TYPE.VAR_STRING, unsigned: false, value: 'ünï' }] }, CAPS)],
    [0, encodeCommand({ kind: 'stmt-send-long-data', statementId: 1, paramId: 1, data: filler(300, 5) }, CAPS)],
    [0, encodeCommand({ kind: 'stmt-close', statementId: 1 }, CAPS)],
    [0, encodeCommand({ kind: 'init-db', database: 'orders' }, CAPS)],
    [0, encodeCommand({ kind: 'field-list', table: 't', wildcard: '' }, CAPS)],
    [0, encodeCommand({ kind: 'ping' }, CAPS)],
    [0, encodeCommand({ kind: 'set-option', option: 0 }, CAPS)],
    [0, encodeCommand({ kind: 'reset-connection' }, CAPS)],
    [0, encodeCommand({ kind: 'change-user', username: 'bob', authResponse: Buffer.alloc(20, 9), database: 'x', characterSet: 45, authPluginName: 'mysql_native_password' }, CAPS)],
    [0, encodeCommand({ kind: 'query', query: "LOAD DATA LOCAL INFILE 'f' INTO TABLE t" }, CAPS)],
    [2, Buffer.from('1,one\n2,two\n')],
    [3, Buffer.alloc(0)],
    [0, encodeCommand({ kind: 'quit' }, CAPS)],
  ];
}

/** The payloads a server sends, with their sequence ids. */
export function serverPayloads(large = 16 * 1024): [number, Buffer][] {
  const status = SERVER_STATUS_AUTOCOMMIT;
  const rs = textResultSet(['id', 'name', 'blob'], [['1', 'one', null], ['2', filler(large, 9).toString('latin1'), 'x']], CAPS, status);
  return [
    [
      0,
      encodeHandshakeV10({
        serverVersion: '5.5.5-10.11.6-MariaDB',
        connectionId: 77,
        scramble: filler(20, 1),
        capabilities: unionCaps(CAPS, CLIENT_SSL, MARIADB_CLIENT_PROGRESS),
        characterSet: 45,
        status,
        authPluginName: 'mysql_native_password',
      }),
    ],
    [3, encodeAuthSwitchRequest({ pluginName: 'caching_sha2_password', data: Buffer.concat([filler(20, 2), Buffer.from([0])]) })],
    [5, encodeAuthMoreData(Buffer.from([3]))],
    [6, encodeOk({ status }, CAPS)],
    ...rs.map((p, i): [number, Buffer] => [i + 1, p]),
    [1, encodeOk({ affectedRows: 3, lastInsertId: 9007199254740993n, status: status | SERVER_MORE_RESULTS_EXISTS, warnings: 1, info: 'Records: 3  Duplicates: 0  Warnings: 1' }, CAPS)],
    [2, encodeErr({ code: 1146, sqlstate: '42S02', message: "Table 'test.nope' doesn't exist" })],
    [1, encodePrepareOk({ statementId: 1, columnCount: 1, paramCount: 1 }, CAPS)],
    [2, encodeColumnDefinition({ name: '?', type: TYPE.LONGLONG }, CAPS)],
    [3, encodeColumnDefinition({ name: 'id', type: TYPE.LONG, table: 't', schema: 'orders' }, CAPS)],
    [1, encodeLocalInfileRequest('f')],
    [4, encodeResultSetEnd({ status }, CAPS)],
  ].map(([seq, p]) => [seq as number, p as Buffer]);
}

export function stream(payloads: [number, Buffer][]): Buffer {
  return Buffer.concat(payloads.map(([seq, p]) => encodePacket(seq, p)));
}

/** Decodes a client packet the way the gateway would: the first two as connection packets, then commands. */
export function decodeClient(index: number, payload: Buffer, caps = CAPS): void {
  if (index === 0 && isSslRequest(payload)) decodeSslRequest(payload);
  else if (index <= 1) decodeHandshakeResponse41(payload);
  else if (payload.length > 0 && payload[0] === COM.STMT_EXECUTE) decodeStmtExecute(payload, caps, { paramCount: 2 });
  else if (payload.length > 0) decodeCommand(payload, caps);
}

/**
 * Decodes a server packet with every decoder that could apply to it (the relay knows which;
 * the fuzz tries them all). Anything but a ProtocolError escapes; a packet no decoder takes
 * throws the last ProtocolError.
 */
export function decodeServer(index: number, payload: Buffer, caps = CAPS): void {
  const attempts = [
    () => (index === 0 ? decodeHandshakeV10(payload) : null),
    () => decodeServerPacket(payload, caps),
    () => decodeAuthPacket(payload, caps),
    () => decodeColumnDefinition(payload, caps),
    () => decodeTextRow(payload, 3),
  ];
  let last: ProtocolError | null = null;
  let decoded = false;
  for (const attempt of attempts) {
    try {
      attempt();
      decoded = true;
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      last = err;
    }
  }
  if (!decoded && last) throw last;
}
