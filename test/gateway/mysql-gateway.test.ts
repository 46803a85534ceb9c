import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORDS } from '../support/gateway.js';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { addMember, removeMember } from '../../src/control/groups.js';
import { membershipAdd, parseInput } from '../../src/control/inputs.js';
import { connectUpstream, type UpstreamConnection } from '../../src/gateway/mysql/upstream.js';
import { decodeErr, encodeCommand, encodePacket, PacketReader, type Packet } from '../../src/gateway/mysql/codec/index.js';
import { MYSQL_CONNECTION, startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

describe('MySQL gateway in front of MariaDB', () => {
  let gw: TestMysqlGateway;
  before(async () => {
    gw = await startTestMysqlGateway();
  });
  after(async () => gw?.close());

  it('the real mysql client: rows, a denial as ERROR 1142 (42000) naming what is missing, and with --force the script goes on', async () => {
    const script = "SELECT name FROM customers ORDER BY id;\nUPDATE customers SET name = 'x' WHERE id = 1;\nSELECT COUNT(*) FROM orders;\n";
    const r = await gw.mysqlCli('alice', PASSWORDS.alice, ['-N', '--force'], script);
    assert.match(r.stderr, /^ERROR 1142 \(42000\) at line 2: write on gh_[0-9a-f]+\.customers is not granted to alice$/m);
    assert.equal(r.stdout, 'Ada\nGrace\n5\n');
  });

  it('relays mysql2 text queries, prepared statements with parameters, transactions and multi-results', async () => {
    const bob = await gw.client('bob', { multipleStatements: true });
    try {
      const [rows] = await bob.query('SELECT id, name FROM customers ORDER BY id');
      assert.deepEqual(rows, [{ id: 1, name: 'Ada' }, { id: 2, name: 'Grace' }]);
      const [found] = await bob.execute('SELECT amount FROM orders WHERE customer = ? AND amount > ? ORDER BY id', [1, 1]);
      assert.deepEqual(found, [{ amount: '3.00' }, { amount: '5.00' }]);
      await bob.beginTransaction();
      await bob.execute('INSERT INTO orders (customer, amount) VALUES (?, ?)', [2, 99.5]);
      await bob.rollback();
      const [count] = await bob.query('SELECT COUNT(*) AS n FROM orders');
      assert.deepEqual(count, [{ n: 5 }], 'the rolled-back insert is gone');
      const [multi] = (await bob.query('SELECT 1 AS a; SELECT 2 AS b')) as unknown as [unknown[][]];
      assert.deepEqual(multi, [[{ a: 1 }], [{ b: 2 }]]);
    } finally {
      await bob.end();
    }
    const executes = (await gw.events('db.query')).filter((e) => e.context.protocol === 'prepared' && e.actor.name === 'bob');
    assert.equal(executes.length, 2);
  });

  it('decides executes again: a prepared statement stops running once the membership behind it is gone', async () => {
    const alice = await gw.client('alice');
    try {
      const [first] = await alice.execute('SELECT name FROM customers WHERE id = ?', [2]);
      assert.deepEqual(first, [{ name: 'Grace' }]);
      await removeMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', 'alice');
      await assert.rejects(alice.execute('SELECT name FROM customers WHERE id = ?', [2]), (e: Error & { errno?: number }) => e.errno === 1142);
    } finally {
      await alice.end();
      await addMember(gw.api.cp, SYSTEM_ACTOR, 'analysts', parseInput(membershipAdd, { principal: 'alice' }));
    }
  });

  it('refuses what hides a statement from it: SQL-level EXECUTE, PREPARE FROM @var, an executable comment', async () => {
    const bob = await gw.client('bob');
    try {
      for (const sql of ['PREPARE s FROM @q', "/*!50000 DELETE FROM customers */"]) {
        await assert.rejects(bob.query(sql), (e: Error & { errno?: number }) => e.errno === 1142, sql);
      }
      await assert.rejects(bob.query({ sql: 'EXECUTE nosuch' }), (e: Error & { errno?: number }) => e.errno === 1142);
    } finally {
      await bob.end();
    }
  });

  // KILL QUERY from a second connection: a client cancelling its own statement.
  it('KILL QUERY stops the statement of a session of the same user, refuses another user\'s (1095) and an unknown id (1094), and records each', async () => {
    const running = await gw.client('bob');
    const canceller = await gw.client('bob');
    const stranger = await gw.client('alice');
    try {
      const id = running.threadId!; // the connection id of the gateway's greeting
      const sleeping = running.query('SELECT SLEEP(60) AS gh_kill_query_test');
      const direct = await gw.direct();
      try {
        const upstream = async () => ((await direct.query("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%AS gh_kill_query_test'")) as unknown as [unknown[]])[0].length;
        for (let i = 0; i < 200 && (await upstream()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
        assert.equal(await upstream(), 1, 'the statement runs upstream');

        await assert.rejects(stranger.query(`KILL QUERY ${id}`), (e: any) => e.errno === 1095 && e.message === `You are not owner of thread ${id}`);
        await assert.rejects(canceller.query('KILL QUERY 4000000000'), (e: any) => e.errno === 1094 && e.message === 'Unknown thread id: 4000000000');
        assert.equal(await upstream(), 1, 'refused cancels leave it running');

        await canceller.query(`KILL QUERY ${id}`);
        // MariaDB answers the interrupted statement with ER_QUERY_INTERRUPTED (MySQL would return 1 from SLEEP).
        await assert.rejects(sleeping, (e: any) => e.errno === 1317 && e.sqlState === '70100');
        assert.equal(await upstream(), 0);
      } finally {
        await direct.end();
      }
      const [[{ ok }]] = (await running.query('SELECT 1 AS ok')) as unknown as [[{ ok: number }]];
      assert.equal(ok, 1, 'the cancelled session goes on');

      const cancels = await gw.events('db.cancel');
      assert.deepEqual(
        cancels.map((e) => [e.actor.name, e.outcome.status, e.context.connection_id]),
        [
          ['alice', 'not_owner', id],
          ['bob', 'unknown', 4000000000],
          ['bob', 'cancelled', id],
        ],
      );
      const live = gw.api.sessions.list().find((s) => s.engine === 'mysql' && s.principal.name === 'bob' && s.statements === 2);
      assert.equal(cancels[2].outcome.session, live?.id, 'the record names the session cancelled');
    } finally {
      await Promise.all([running.end(), canceller.end(), stranger.end()]);
    }
  });
});

/**
 * Ending a MySQL session from the gateway's side (the registry, as the API and a disabled
 * account do): the client reads ER_CONNECTION_KILLED (1927, 70100) with the reason, in the
 * place of the protocol where it is waiting for a packet, and both connections close.
 */
describe('MySQL gateway: a terminated session', () => {
  let gw: TestMysqlGateway;
  before(async () => {
    gw = await startTestMysqlGateway();
  });
  after(async () => gw?.close());

  const sessionOf = (principal: string) => {
    const found = gw.api.sessions.list().filter((s) => s.principal.name === principal);
    assert.equal(found.length, 1, `one live session of ${principal}`);
    return found[0]!;
  };
  /** A logged-in connection through the gateway with the project's own dialer, to see packets as they are. */
  const raw = (user: keyof typeof PASSWORDS) =>
    connectUpstream({ host: '127.0.0.1', port: gw.port, user, password: PASSWORDS[user], database: MYSQL_CONNECTION, tls: 'disable', connectTimeoutMs: 5000 });
  /** Every packet until the gateway closes the connection. */
  const packetsUntilClosed = (conn: UpstreamConnection, onPacket: (count: number) => void = () => undefined) =>
    new Promise<Packet[]>((resolve) => {
      const reader = new PacketReader();
      const packets: Packet[] = [];
      const take = (chunk: Buffer) => {
        reader.push(chunk);
        for (let p = reader.next(); p; p = reader.next()) {
          packets.push({ ...p, payload: Buffer.from(p.payload) });
          onPacket(packets.length);
        }
      };
      conn.socket.on('data', take);
      conn.socket.on('close', () => resolve(packets));
      take(conn.remainder);
      conn.socket.resume();
    });

  it('an idle client gets the ERR packet with sequence id 0 (as MySQL 8.0.24+ says why it disconnects one)', async () => {
    const conn = await raw('alice');
    const packets = packetsUntilClosed(conn);
    assert.equal(gw.api.sessions.terminate(sessionOf('alice').id, 'idle and ended'), true);
    const [err, ...more] = await packets;
    assert.equal(more.length, 0);
    assert.equal(err!.sequenceId, 0);
    assert.deepEqual(decodeErr(err!.payload), { code: 1927, sqlstate: '70100', message: 'Connection was killed: idle and ended' });
  });

  it('mid-result, the ERR packet ends the result set in sequence', async () => {
    const conn = await raw('alice');
    const sql = 'SELECT a.TABLE_NAME, b.COLUMN_NAME FROM information_schema.COLUMNS a, information_schema.COLUMNS b';
    const packets = packetsUntilClosed(conn, (n) => n === 200 && gw.api.sessions.terminate(sessionOf('alice').id, 'mid result'));
    conn.socket.write(encodePacket(0, encodeCommand({ kind: 'query', query: sql }, conn.capabilities)));
    const all = await packets;
    assert.ok(all.length > 200);
    all.forEach((p, i) => assert.equal(p.sequenceId, (i + 1) & 0xff, `packet ${i}`));
    assert.deepEqual(decodeErr(all.at(-1)!.payload), { code: 1927, sqlstate: '70100', message: 'Connection was killed: mid result' });
  });

  it('a client waiting for a statement gets the error as its answer; the upstream connection closes once that statement ends', async () => {
    const alice = await gw.client('alice');
    alice.on('error', () => undefined); // the connection's own 'Connection lost' after the answer
    const [[{ id }]] = (await alice.query('SELECT CONNECTION_ID() AS id')) as unknown as [[{ id: number }]];
    const started = Date.now();
    const sleeping = alice.query('SELECT SLEEP(2)');
    await new Promise((r) => setTimeout(r, 200));
    gw.api.sessions.terminate(sessionOf('alice').id, 'ended while it ran');
    await assert.rejects(sleeping, (e: any) => e.errno === 1927 && e.sqlState === '70100' && e.message === 'Connection was killed: ended while it ran');
    assert.ok(Date.now() - started < 1500, 'the client did not wait for the statement');
    await assert.rejects(alice.query('SELECT 1'));
    const direct = await gw.direct();
    try {
      let threads: unknown[] = [1];
      for (let i = 0; i < 100 && threads.length > 0; i++) {
        [threads] = (await direct.query('SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?', [id])) as unknown as [unknown[]];
        if (threads.length > 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(threads, [], 'the upstream connection is gone'); // MariaDB sees the close once SLEEP returns
    } finally {
      await direct.end();
    }
  });

  it('names the application by the program_name attribute, else by the driver’s _client_name', async () => {
    const plain = await gw.client('bob');
    const named = await gw.client('carol', { connectAttributes: { program_name: 'nightly-report' } });
    try {
      assert.equal(sessionOf('bob').application, 'Node-MySQL-2');
      assert.equal(sessionOf('carol').application, 'nightly-report');
    } finally {
      await plain.end();
      await named.end();
    }
  });
});
