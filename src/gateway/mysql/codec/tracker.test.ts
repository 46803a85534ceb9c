import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_PROTOCOL_41,
  MARIADB_CLIENT_CACHE_METADATA,
  MARIADB_CLIENT_PROGRESS,
  SERVER_MORE_RESULTS_EXISTS,
  SERVER_STATUS_CURSOR_EXISTS,
  SERVER_STATUS_LAST_ROW_SENT,
  unionCaps,
} from './capabilities.js';
import { COM, TYPE } from './constants.js';
import { ProtocolError } from './errors.js';
import { encodeAuthMoreData, encodeAuthSwitchRequest } from './handshake.js';
import { encodeEof, encodeErr, encodeLocalInfileRequest, encodeOk, encodeResultSetEnd, encodeResultSetHeader } from './response.js';
import { encodeColumnDefinition, encodeTextRow, textResultSet } from './result-set.js';
import { encodePrepareOk } from './stmt-prepare.js';
import { ResponseTracker } from './tracker.js';
import type { ResponseOutcome } from './tracker.js';

const EOF_CAPS = CLIENT_PROTOCOL_41;
const OK_CAPS = unionCaps(CLIENT_PROTOCOL_41, CLIENT_DEPRECATE_EOF);
const col = (caps: number) => encodeColumnDefinition({ name: 'c', type: TYPE.LONG }, caps);
const binaryRow = Buffer.from([0x00, 0x00, 1, 0, 0, 0]);

/** Feeds every packet; the tracker must be done exactly after the last one. */
function track(caps: number, command: number, packets: Buffer[], options: { cursor?: boolean } = {}): ResponseOutcome[] {
  const t = new ResponseTracker(caps, command, options);
  packets.forEach((p, i) => {
    assert.equal(t.done, false, `done before packet ${i}`);
    t.serverPacket(p);
  });
  assert.equal(t.done, true, 'not done after the last packet');
  assert.throws(() => t.serverPacket(encodeOk({}, caps)), /after the response was complete/);
  return t.outcomes;
}

const kinds = (outcomes: ResponseOutcome[]) =>
  outcomes.map((o) => (o.kind === 'rows' ? `rows ${o.columns}x${o.rows}${o.cursor ? ' cursor' : ''}` : o.kind === 'ok' ? `ok ${o.affectedRows}` : o.kind === 'error' ? `error ${o.code}` : o.kind));

describe('ResponseTracker', () => {
  for (const caps of [EOF_CAPS, OK_CAPS]) {
    const label = caps === OK_CAPS ? 'CLIENT_DEPRECATE_EOF' : 'EOF packets';

    it(`COM_QUERY: OK, ERR, result sets and multi-results (${label})`, () => {
      assert.deepEqual(kinds(track(caps, COM.QUERY, [encodeOk({ affectedRows: 2 }, caps)])), ['ok 2']);
      assert.deepEqual(kinds(track(caps, COM.QUERY, [encodeErr({ code: 1064, sqlstate: '42000', message: 'syntax' })])), ['error 1064']);
      const rs = (rows: number, status: number) => textResultSet(['a', 'b'], Array.from({ length: rows }, () => ['1', null]), caps, status);
      assert.deepEqual(kinds(track(caps, COM.QUERY, rs(3, 2))), ['rows 2x3']);
      const multi = [...rs(1, SERVER_MORE_RESULTS_EXISTS), encodeOk({ affectedRows: 4, status: SERVER_MORE_RESULTS_EXISTS }, caps), ...rs(0, SERVER_MORE_RESULTS_EXISTS), encodeOk({}, caps)];
      assert.deepEqual(kinds(track(caps, COM.QUERY, multi)), ['rows 2x1', 'ok 4', 'rows 2x0', 'ok 0']);
      // An ERR between rows (KILL QUERY) ends the response.
      const killed = [...rs(2, 0).slice(0, -1), encodeErr({ code: 1317, sqlstate: '70100', message: 'Query execution was interrupted' })];
      assert.deepEqual(kinds(track(caps, COM.QUERY, killed)), ['error 1317']);
    });

    it(`COM_STMT_EXECUTE: binary rows, and a cursor with no rows sent (${label})`, () => {
      const head = [encodeResultSetHeader(1, caps), col(caps), ...(caps === EOF_CAPS ? [encodeEof({ warnings: 0, status: 0 })] : [])];
      assert.deepEqual(kinds(track(caps, COM.STMT_EXECUTE, [...head, binaryRow, binaryRow, encodeResultSetEnd({ status: 0 }, caps)])), ['rows 1x2']);
      const cursorEnd = caps === EOF_CAPS ? [encodeEof({ warnings: 0, status: SERVER_STATUS_CURSOR_EXISTS })] : [encodeResultSetEnd({ status: SERVER_STATUS_CURSOR_EXISTS }, caps)];
      const cursor = [encodeResultSetHeader(1, caps), col(caps), ...cursorEnd];
      assert.deepEqual(kinds(track(caps, COM.STMT_EXECUTE, cursor, { cursor: true })), ['rows 1x0 cursor']);
      // COM_STMT_FETCH: rows, then the end with SERVER_STATUS_LAST_ROW_SENT.
      assert.deepEqual(kinds(track(caps, COM.STMT_FETCH, [binaryRow, encodeResultSetEnd({ status: SERVER_STATUS_CURSOR_EXISTS | SERVER_STATUS_LAST_ROW_SENT }, caps)])), ['rows 0x1']);
    });

    it(`COM_STMT_PREPARE: parameter and column definitions (${label})`, () => {
      const eof = caps === EOF_CAPS ? [encodeEof({ warnings: 0, status: 2 })] : [];
      const prep = (params: number, columns: number) => [
        encodePrepareOk({ statementId: 5, columnCount: columns, paramCount: params }, caps),
        ...Array.from({ length: params }, () => col(caps)),
        ...(params > 0 ? eof : []),
        ...Array.from({ length: columns }, () => col(caps)),
        ...(columns > 0 ? eof : []),
      ];
      for (const [params, columns] of [[0, 0], [2, 0], [0, 3], [2, 3]] as const) {
        assert.deepEqual(track(caps, COM.STMT_PREPARE, prep(params, columns)), [{ kind: 'prepared', statementId: 5, columns, params, warnings: 0 }]);
      }
      assert.deepEqual(kinds(track(caps, COM.STMT_PREPARE, [encodeErr({ code: 1146, sqlstate: '42S02', message: 'no table' })])), ['error 1146']);
    });

    it(`COM_FIELD_LIST, simple commands, commands without a response (${label})`, () => {
      const end = encodeResultSetEnd({ status: 2 }, caps);
      assert.deepEqual(track(caps, COM.FIELD_LIST, [encodeColumnDefinition({ name: 'a', defaultValue: Buffer.from('0') }, caps), col(caps), end]), []);
      for (const command of [COM.PING, COM.INIT_DB, COM.RESET_CONNECTION, COM.STMT_RESET, COM.SET_OPTION]) {
        assert.deepEqual(kinds(track(caps, command, [encodeOk({}, caps)])), ['ok 0']);
      }
      assert.deepEqual(kinds(track(caps, COM.SET_OPTION, [encodeEof({ warnings: 0, status: 2 })])), ['ok 0']);
      for (const command of [COM.QUIT, COM.STMT_CLOSE, COM.STMT_SEND_LONG_DATA]) assert.equal(new ResponseTracker(caps, command).done, true);
      assert.deepEqual(track(caps, COM.STATISTICS, [Buffer.from('Uptime: 5  Threads: 1')]), [{ kind: 'text', text: 'Uptime: 5  Threads: 1' }]);
    });
  }

  it('LOCAL INFILE: the request, the client content up to an empty packet, then OK (with more results)', () => {
    const t = new ResponseTracker(OK_CAPS, COM.QUERY);
    assert.equal(t.serverPacket(encodeLocalInfileRequest('/tmp/data.csv')), null);
    assert.equal(t.localInfileName, '/tmp/data.csv');
    assert.equal(t.awaitingClient, true);
    assert.throws(() => t.serverPacket(encodeOk({}, OK_CAPS)), /waits for the client/);
    t.clientPacket(Buffer.from('1,a\n'));
    assert.equal(t.awaitingClient, true);
    t.clientPacket(Buffer.alloc(0));
    assert.equal(t.awaitingClient, false);
    t.serverPacket(encodeOk({ affectedRows: 1, status: SERVER_MORE_RESULTS_EXISTS, info: 'Records: 1' }, OK_CAPS));
    assert.equal(t.done, false);
    t.serverPacket(encodeOk({}, OK_CAPS));
    assert.deepEqual(kinds(t.outcomes), ['ok 1', 'ok 0']);
    // A refused file: the client sends nothing but the empty packet, and the server answers ERR.
    const refused = new ResponseTracker(OK_CAPS, COM.QUERY);
    refused.serverPacket(encodeLocalInfileRequest('/etc/passwd'));
    refused.clientPacket(Buffer.alloc(0));
    refused.serverPacket(encodeErr({ code: 2068, sqlstate: 'HY000', message: 'LOAD DATA LOCAL INFILE file request rejected' }));
    assert.equal(refused.done, true);
    assert.throws(() => refused.clientPacket(Buffer.alloc(0)), ProtocolError);
  });

  it("MariaDB: progress reports are not errors, and the metadata cache's skipped column definitions", () => {
    const caps = unionCaps(OK_CAPS, MARIADB_CLIENT_PROGRESS, MARIADB_CLIENT_CACHE_METADATA);
    const progress = Buffer.from([0xff, 0xff, 0xff, 1, 1, 2, 0x10, 0, 0, 0]);
    const packets = [progress, encodeResultSetHeader(1, caps, false), encodeTextRow(['x']), encodeResultSetEnd({ status: 2 }, caps)];
    assert.deepEqual(kinds(track(caps, COM.QUERY, packets)), ['rows 1x1']);
    assert.deepEqual(kinds(track(OK_CAPS, COM.QUERY, [progress])), ['error 65535']); // without the capability it is an ERR
  });

  it('COM_CHANGE_USER: the authentication exchange until OK or ERR', () => {
    const t = new ResponseTracker(OK_CAPS, COM.CHANGE_USER);
    t.serverPacket(encodeAuthSwitchRequest({ pluginName: 'caching_sha2_password', data: Buffer.alloc(21) }));
    assert.equal(t.awaitingClient, true);
    t.clientPacket(Buffer.alloc(32));
    t.serverPacket(encodeAuthMoreData(Buffer.from([3]))); // fast_auth_success: the OK follows without an answer
    assert.equal(t.awaitingClient, false);
    t.serverPacket(encodeOk({}, OK_CAPS));
    assert.equal(t.done, true);
  });

  it('refuses what cannot come next', () => {
    assert.throws(() => new ResponseTracker(OK_CAPS, COM.QUERY).serverPacket(Buffer.alloc(0)), ProtocolError);
    assert.throws(() => new ResponseTracker(OK_CAPS, COM.STMT_PREPARE).serverPacket(encodeResultSetHeader(1, OK_CAPS)), /answering COM_STMT_PREPARE/);
    assert.throws(() => new ResponseTracker(OK_CAPS, COM.PING).serverPacket(Buffer.from([0x05])), /not OK, EOF or ERR/);
    const t = new ResponseTracker(EOF_CAPS, COM.QUERY);
    t.serverPacket(encodeResultSetHeader(1, EOF_CAPS));
    t.serverPacket(col(EOF_CAPS));
    assert.throws(() => t.serverPacket(encodeTextRow(['1'])), /did not end with an EOF/);
    assert.throws(() => new ResponseTracker(OK_CAPS, COM.PING).clientPacket(Buffer.alloc(0)), ProtocolError);
  });
});
