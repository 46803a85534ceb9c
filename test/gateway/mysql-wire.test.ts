import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CHARSET,
  COM,
  decodeAuthSwitchRequest,
  decodeTextRow,
  encodeCommand,
  encodePacket,
  encodeStmtExecute,
  PacketReader,
  TYPE,
  type Packet,
} from '../../src/gateway/mysql/codec/index.js';
import { nativeClientToken } from '../../src/gateway/mysql/auth-math.js';
import { storeSource, verifyLog } from '../../src/ledger/index.js';
import { PASSWORDS } from '../support/gateway.js';
import type { CodecClient } from '../support/mysql-client.js';
import { MYSQL_CONNECTION, startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';
import { errOf, readUntilClosed, wireClient, writeByteByByte } from '../support/mysql-wire.js';

const MAX_PACKET = 64 * 1024;

describe('MySQL gateway on the wire: hand-made packets after a real login', () => {
  let gw: TestMysqlGateway;
  before(async () => {
    gw = await startTestMysqlGateway({ gateway: { maxPacketBytes: MAX_PACKET } });
  });
  after(async () => gw?.close());

  /** The upstream session's own count of bytes it received: what the gateway forwarded. */
  async function upstreamBytesReceived(c: CodecClient): Promise<number> {
    const r = await c.query("SHOW SESSION STATUS LIKE 'Bytes_received'");
    return Number(decodeTextRow(r.packets.at(-2)!, 2)[1]!.toString());
  }
  const sessionEvents = async (action: string, session: string) => (await gw.events(action)).filter((e) => e.context.session === session);
  const liveSession = (user: string) => gw.api.sessions.list().filter((s) => s.engine === 'mysql' && s.principal.name === user).at(-1)!;

  it('refuses COM_STMT_EXECUTE of a statement id never prepared (1243), forwards nothing, and records the refusal, not a statement', async () => {
    const c = await wireClient(gw, 'bob');
    try {
      const session = liveSession('bob').id;
      // Two SHOWs in a row tell what one SHOW adds; the forged execute in between the next two must add nothing.
      const b0 = await upstreamBytesReceived(c);
      const b1 = await upstreamBytesReceived(c);
      const r = await c.send(encodeStmtExecute({ statementId: 1, params: [] }, c.conn.capabilities));
      assert.deepEqual(r.outcomes.map((o) => o.kind === 'error' && [o.code, o.sqlstate]), [[1243, 'HY000']]);
      const b2 = await upstreamBytesReceived(c);
      assert.equal(b2 - b1, b1 - b0, 'the upstream received nothing but the SHOW');
      const recorded = await sessionEvents('db.query', session);
      assert.deepEqual(recorded.map((e) => e.target.statements[0].kind), ['ShowStmt', 'ShowStmt', 'ShowStmt'], 'only the SHOWs are recorded as statements');
      const refused = await sessionEvents('db.command_refused', session);
      assert.deepEqual(
        refused.map((e) => [e.context.command, e.context.statement_id, e.decision.allow, e.decision.code]),
        [['COM_STMT_EXECUTE', 1, false, 'command_refused']],
      );
      assert.equal(liveSession('bob').denied, 1, 'the refusal counts as a denial of the session');
      assert.equal((await c.query('SELECT 1')).outcomes[0]!.kind, 'rows', 'the session goes on');
    } finally {
      c.close();
    }
  });

  it('relays the commands beyond COM_QUERY: PING, INIT_DB, FIELD_LIST, a prepared statement fed by SEND_LONG_DATA, STMT_RESET, STMT_CLOSE, RESET_CONNECTION; each statement recorded', async () => {
    const c = await wireClient(gw, 'bob');
    try {
      const session = liveSession('bob').id;
      const from = (await gw.events()).length;
      const kind = async (r: Promise<{ outcomes: { kind: string }[] }>) => (await r).outcomes.map((o) => o.kind);
      assert.deepEqual(await kind(c.command({ kind: 'ping' })), ['ok']);
      assert.deepEqual(await kind(c.command({ kind: 'init-db', database: gw.database })), ['ok']);
      const fields = await c.command({ kind: 'field-list', table: 'customers', wildcard: '' });
      assert.equal(fields.packets.length, 4, 'three column definitions and the end');
      assert.equal(fields.packets.at(-1)![0], 0xfe, 'the end (EOF, or OK with the EOF header)');

      const prepared = await c.command({ kind: 'stmt-prepare', query: 'UPDATE customers SET email = ? WHERE id = 2' });
      const ok = prepared.outcomes[0] as { kind: string; statementId: number; params: number };
      assert.deepEqual([ok.kind, ok.params], ['prepared', 1]);
      // The value goes ahead in two pieces (no answer to either); the execute then carries only its type.
      await c.command({ kind: 'stmt-send-long-data', statementId: ok.statementId, paramId: 0, data: Buffer.from('long@') });
      await c.command({ kind: 'stmt-send-long-data', statementId: ok.statementId, paramId: 0, data: Buffer.from('example.com') });
      const execute = Buffer.alloc(14);
      execute.writeUInt8(COM.STMT_EXECUTE, 0);
      execute.writeUInt32LE(ok.statementId, 1);
      execute.writeUInt8(0, 5); // no cursor
      execute.writeUInt32LE(1, 6); // iteration count
      execute.writeUInt8(0, 10); // NULL bitmap: not NULL
      execute.writeUInt8(1, 11); // new parameters bound: the type follows, the value was sent as long data
      execute.writeUInt16LE(TYPE.BLOB, 12);
      assert.deepEqual(await kind(c.send(execute)), ['ok']);
      const email = decodeTextRow((await c.query('SELECT email FROM customers WHERE id = 2')).packets.at(-2)!, 1)[0];
      assert.equal(email?.toString(), 'long@example.com', 'the upstream got the long data');
      assert.deepEqual(await kind(c.command({ kind: 'stmt-reset', statementId: ok.statementId })), ['ok']);
      await c.command({ kind: 'stmt-close', statementId: ok.statementId });
      assert.deepEqual(await kind(c.command({ kind: 'reset-connection' })), ['ok']);
      assert.deepEqual(await kind(c.query("UPDATE customers SET email = 'grace@example.com' WHERE id = 2")), ['ok']);

      const all = await gw.events();
      const recorded: [string, string, unknown][] = [];
      for (let i = from; i < all.length; i++) {
        const e = all[i];
        if (e.action !== 'db.query' || e.context.session !== session) continue;
        const kept = JSON.parse(Buffer.from((await gw.api.opened.repo.payload(i))!.payload).toString('utf8'));
        recorded.push([e.context.protocol, kept.sql, kept.params]);
      }
      assert.deepEqual(recorded, [
        ['init_db', `USE \`${gw.database}\``, undefined],
        ['field_list', 'SHOW COLUMNS FROM `customers`', undefined],
        ['prepared', 'UPDATE customers SET email = ? WHERE id = 2', [{ long_data: true }]],
        ['text', 'SELECT email FROM customers WHERE id = 2', undefined],
        ['text', "UPDATE customers SET email = 'grace@example.com' WHERE id = 2", undefined],
      ]);
    } finally {
      c.close();
    }
  });

  it('decides a command split across TCP writes byte by byte as it decides it whole', async () => {
    const c = await wireClient(gw, 'alice');
    try {
      const byteByByte = { write: (bytes: Buffer) => writeByteByByte(c.conn.socket, bytes) };
      const denied = encodeCommand({ kind: 'query', query: "UPDATE customers SET name = 'x' WHERE id = 1" }, c.conn.capabilities);
      const whole = await c.send(denied);
      const split = await c.send(denied, byteByByte);
      assert.deepEqual(split.outcomes.map((o) => o.kind === 'error' && o.code), [1142]);
      assert.deepEqual(split.raw, whole.raw, 'the same denial, byte for byte');
      const allowed = encodeCommand({ kind: 'query', query: 'SELECT name FROM customers ORDER BY id' }, c.conn.capabilities);
      const rowsWhole = await c.send(allowed);
      const rowsSplit = await c.send(allowed, byteByByte);
      assert.deepEqual(rowsSplit.outcomes, rowsWhole.outcomes);
      assert.deepEqual(rowsSplit.raw, rowsWhole.raw);
      const decisions = (await sessionEvents('db.query', liveSession('alice').id)).map((e) => e.decision.allow);
      assert.deepEqual(decisions, [false, false, true, true]);
    } finally {
      c.close();
    }
    const direct = await gw.direct();
    const [rows] = await direct.query(`SELECT name FROM ${gw.database}.customers WHERE id = 1`);
    await direct.end();
    assert.deepEqual(rows, [{ name: 'Ada' }]);
  });

  const malformed: { name: string; bytes: (caps: number) => Buffer; code: number; sqlstate: string }[] = [
    { name: 'a COM_STMT_EXECUTE cut short in its statement id', bytes: () => encodePacket(0, Buffer.from([COM.STMT_EXECUTE, 1, 0])), code: 1835, sqlstate: 'HY000' },
    { name: 'a COM_STMT_CLOSE with bytes after its statement id', bytes: () => encodePacket(0, Buffer.from([COM.STMT_CLOSE, 1, 0, 0, 0, 9])), code: 1835, sqlstate: 'HY000' },
    { name: 'a COM_PROCESS_KILL of two bytes', bytes: () => encodePacket(0, Buffer.from([COM.PROCESS_KILL, 1, 0])), code: 1835, sqlstate: 'HY000' },
    {
      name: 'a COM_CHANGE_USER whose auth response length runs past the packet',
      bytes: () => encodePacket(0, Buffer.concat([Buffer.from([COM.CHANGE_USER]), Buffer.from('bob\0'), Buffer.from([200, 1, 2, 3])])),
      code: 1835,
      sqlstate: 'HY000',
    },
    { name: 'an empty packet', bytes: () => encodePacket(0, Buffer.alloc(0)), code: 1835, sqlstate: 'HY000' },
    { name: 'a command with sequence id 5, not 0', bytes: (caps) => encodePacket(5, encodeCommand({ kind: 'ping' }, caps)), code: 1156, sqlstate: '08S01' },
    {
      name: `a packet header announcing ${MAX_PACKET + 1} bytes (over maxPacketBytes), the payload never sent`,
      bytes: () => Buffer.from([(MAX_PACKET + 1) & 0xff, ((MAX_PACKET + 1) >> 8) & 0xff, (MAX_PACKET + 1) >> 16, 0, COM.QUERY]),
      code: 1153,
      sqlstate: '08S01',
    },
    {
      name: `a COM_QUERY of ${MAX_PACKET + 1} bytes`,
      bytes: (caps) => encodePacket(0, encodeCommand({ kind: 'query', query: `SELECT '${'x'.repeat(MAX_PACKET - 9)}'` }, caps)),
      code: 1153,
      sqlstate: '08S01',
    },
  ];

  it('answers a malformed or oversized packet with ERR and closes that connection; another session and the ledger are untouched', async () => {
    const bystander = await gw.client('bob');
    for (const { name, bytes, code, sqlstate } of malformed) {
      const c = await wireClient(gw, 'alice');
      const answer = readUntilClosed(c.conn.socket);
      c.conn.socket.write(bytes(c.conn.capabilities));
      const { packets, closed } = await answer;
      assert.equal(closed, true, `closed after ${name}`);
      const err = errOf(packets);
      assert.deepEqual(err && [err.code, err.sqlstate, err.sequenceId], [code, sqlstate, 1], name);
      assert.equal(packets.length, 1, `nothing but the ERR after ${name}`);
      const [rows] = await bystander.query('SELECT COUNT(*) AS n FROM customers');
      assert.deepEqual(rows, [{ n: 2 }], `the other session works after ${name}`);
    }
    await bystander.end();
    const report = await verifyLog(storeSource(gw.api.opened.repo, 'the test store'));
    assert.equal(report.ok, true);
    const ends = (await gw.events('db.session.end')).filter((e) => e.actor.name === 'alice').slice(-malformed.length);
    assert.equal(ends.length, malformed.length, 'each broken session is recorded as ended');
  });

  it('refuses COM_PROCESS_KILL and commands it does not relay (replication, unknown bytes) with 1227; the session goes on', async () => {
    const c = await wireClient(gw, 'bob');
    try {
      const commands = [
        encodeCommand({ kind: 'process-kill', connectionId: c.conn.connectionId }, c.conn.capabilities),
        Buffer.from([COM.BINLOG_DUMP, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
        Buffer.from([COM.REGISTER_SLAVE, 1, 0, 0, 0]),
        Buffer.from([0x40, 1, 2, 3]),
      ];
      for (const payload of commands) {
        const r = await c.send(payload);
        assert.deepEqual(r.outcomes.map((o) => o.kind === 'error' && [o.code, o.sqlstate]), [[1227, '42000']], `command 0x${payload[0]!.toString(16)}`);
      }
      assert.equal((await c.query('SELECT 1')).outcomes[0]!.kind, 'rows');
      const session = liveSession('bob');
      assert.equal(session.denied, commands.length);
      const refused = await sessionEvents('db.command_refused', session.id);
      assert.deepEqual(
        refused.map((e) => [e.context.command, e.decision.message]),
        ['COM_PROCESS_KILL', 'COM_BINLOG_DUMP', 'COM_REGISTER_SLAVE', 'command 0x40'].map((name) => [name, `Access denied; ${name} is not allowed through Gatehouse`]),
      );
      assert.equal(refused[0]!.context.connection_id, c.conn.connectionId);
    } finally {
      c.close();
    }
  });

  it('answers a COM_CHANGE_USER response computed with another scramble with an AuthSwitchRequest, and logs in with the answer to it', async () => {
    const c = await wireClient(gw, 'alice');
    const socket = c.conn.socket;
    const reader = new PacketReader();
    const next = () =>
      new Promise<Packet>((resolve) => {
        const take = () => {
          const p = reader.next();
          if (!p) return false;
          socket.off('data', onData);
          socket.pause();
          resolve(p);
          return true;
        };
        const onData = (chunk: Buffer) => {
          reader.push(chunk);
          take();
        };
        if (!take()) socket.on('data', onData).resume();
      });
    const caps = c.conn.capabilities;
    const change = encodeCommand(
      { kind: 'change-user', username: 'bob', authResponse: randomBytes(20), database: MYSQL_CONNECTION, characterSet: CHARSET.UTF8MB4_GENERAL_CI, authPluginName: 'mysql_native_password' },
      caps,
    );
    socket.write(encodePacket(0, change));
    const switchRequest = await next();
    assert.equal(switchRequest.sequenceId, 1);
    const { pluginName, data } = decodeAuthSwitchRequest(switchRequest.payload);
    assert.equal(pluginName, 'mysql_native_password');
    socket.write(encodePacket(2, nativeClientToken(PASSWORDS.bob, data.subarray(0, 20))));
    const ok = await next();
    assert.deepEqual([ok.sequenceId, ok.payload[0]], [3, 0x00], 'OK');
    const r = await c.query('INSERT INTO orders (customer, amount) VALUES (2, 7)');
    assert.deepEqual(r.outcomes.map((o) => o.kind), ['ok'], 'bob writes');
    c.close();
    const direct = await gw.direct();
    await direct.query(`DELETE FROM ${gw.database}.orders WHERE amount = 7`);
    await direct.end();
  });
});
