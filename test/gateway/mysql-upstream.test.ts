import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_MULTI_STATEMENTS,
  CLIENT_PROTOCOL_41,
  CLIENT_SSL,
  COM,
  decodeBinaryRow,
  decodeColumnDefinition,
  decodeTextRow,
  encodeStmtExecute,
  hasCaps,
  PacketReader,
  ResponseTracker,
  SERVER_STATUS_AUTOCOMMIT,
  TYPE,
  unionCaps,
  withoutCaps,
} from '../../src/gateway/mysql/codec/index.js';
import type { ResponseOutcome } from '../../src/gateway/mysql/codec/index.js';
import { nativeVerifier, nativeVerifierString } from '../../src/gateway/mysql/auth-math.js';
import { connectUpstream, DEFAULT_CLIENT_CAPABILITIES, UpstreamError } from '../../src/gateway/mysql/upstream.js';
import type { UpstreamTarget } from '../../src/gateway/mysql/upstream.js';
import { CodecClient, mysqlTarget, uniqueName } from '../support/mysql-client.js';

const root = mysqlTarget();

async function rejectsUpstream(target: UpstreamTarget, pattern: RegExp): Promise<UpstreamError> {
  let caught: UpstreamError | undefined;
  await assert.rejects(connectUpstream(target), (e: unknown) => {
    assert.ok(e instanceof UpstreamError, `expected an UpstreamError, got ${String(e)}`);
    assert.match(e.message, pattern);
    caught = e;
    return true;
  });
  return caught!;
}

const clients: CodecClient[] = [];

async function open(target: UpstreamTarget = root): Promise<CodecClient> {
  const c = new CodecClient(await connectUpstream(target));
  clients.push(c);
  return c;
}

function rowsOf(packets: Buffer[], caps: number): string[][] {
  // Column count, definitions (and an EOF without CLIENT_DEPRECATE_EOF), rows, terminator.
  const count = packets[0]![0]!;
  const first = 1 + count + (hasCaps(caps, CLIENT_DEPRECATE_EOF) ? 0 : 1);
  return packets.slice(first, -1).map((p) => decodeTextRow(p, count).map((v) => (v === null ? 'NULL' : v.toString())));
}

describe('MySQL upstream dialer against MariaDB', () => {
  const user = uniqueName('gh_native');
  const password = 'pässwörd-' + uniqueName('x');
  const table = uniqueName('gh_t');
  let admin: CodecClient;

  before(async () => {
    admin = await open();
    const created = await admin.query(`CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    assert.equal(created.outcomes[0]?.kind, "ok", String((created.outcomes[0] as { message?: string }).message));
    await admin.query(`GRANT ALL ON test.* TO '${user}'@'127.0.0.1'`);
    await admin.query(`CREATE TABLE test.${table} (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2), at DATETIME(3), n BIGINT UNSIGNED)`);
  });

  after(async () => {
    await admin.query(`DROP TABLE IF EXISTS test.${table}`);
    await admin.query(`DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
    admin.close();
    for (const c of clients) c.conn.socket.destroy(); // those a failed test left open
  });

  it('logs in without a password and reports the server, the connection id and the capabilities in force', async () => {
    const c = await open();
    assert.match(c.conn.serverVersion, /^\d+\.\d+\.\d+-MariaDB/);
    assert.ok(c.conn.connectionId > 0);
    assert.ok(hasCaps(c.conn.capabilities, unionCaps(CLIENT_PROTOCOL_41, CLIENT_DEPRECATE_EOF)));
    assert.equal(c.conn.tls, false);
    assert.equal(c.conn.authPlugin, 'mysql_native_password');
    assert.ok((c.conn.status & SERVER_STATUS_AUTOCOMMIT) !== 0);
    assert.equal(c.conn.remainder.length, 0);
    const r = await c.query('SELECT CONNECTION_ID(), DATABASE(), CURRENT_USER()');
    assert.deepEqual(rowsOf(r.packets, c.conn.capabilities), [[String(c.conn.connectionId), 'test', 'root@127.0.0.1']]);
    c.close();
  });

  it('logs in with mysql_native_password, whose verifier is the one the server stores', async () => {
    const c = await open({ ...root, user, password });
    const r = await c.query(`SELECT CURRENT_USER(), PASSWORD('${password}')`);
    assert.deepEqual(rowsOf(r.packets, c.conn.capabilities), [[`${user}@127.0.0.1`, nativeVerifierString(nativeVerifier(password))]]);
    c.close();
  });

  it("a wrong password fails with the server's ERR (1045, 28000), naming no password", async () => {
    const e = await rejectsUpstream({ ...root, user, password: 'wrong' }, /refused the login: Access denied for user .* \(1045\/28000\)/);
    assert.deepEqual({ code: e.err?.code, sqlstate: e.err?.sqlstate }, { code: 1045, sqlstate: '28000' });
    assert.doesNotMatch(e.message, /wrong/);
    await rejectsUpstream({ ...root, user, password: null }, /\(1045\/28000\)/);
    await rejectsUpstream({ ...root, user, password, database: 'no_such_db_here' }, /\(1044\/42000\)/);
  });

  it('an account the server refuses during authentication gives its ERR as is', async () => {
    const old = uniqueName('gh_old');
    // A mysql_old_password account under --secure-auth: refused with 1275 before any plugin switch.
    await admin.query(`CREATE USER '${old}'@'127.0.0.1' IDENTIFIED VIA mysql_old_password USING '7a1b2c3d4e5f6071'`);
    try {
      const e = await rejectsUpstream({ ...root, user: old, password: 'x' }, /refused the login: .*old format.*\(1275\/HY000\)/);
      assert.equal(e.err?.code, 1275);
    } finally {
      await admin.query(`DROP USER IF EXISTS '${old}'@'127.0.0.1'`);
    }
  });

  it('TLS: this server offers none, so require and verify-full fail clearly and prefer goes on in clear', async () => {
    const probe = await open();
    const ssl = await probe.query("SHOW VARIABLES LIKE 'have_ssl'");
    const haveSsl = rowsOf(ssl.packets, probe.conn.capabilities)[0]?.[1];
    probe.close();
    if (haveSsl === 'YES') {
      const c = await open({ ...root, tls: 'require' });
      assert.equal(c.conn.tls, true);
      c.close();
      return;
    }
    assert.equal(hasCaps(probe.conn.serverCapabilities, CLIENT_SSL), false);
    await rejectsUpstream({ ...root, tls: 'require' }, /does not offer TLS \(no CLIENT_SSL in its greeting\), and the connection requires it \(tls: require\)/);
    await rejectsUpstream({ ...root, tls: 'verify-full' }, /does not offer TLS/);
    const c = await open({ ...root, tls: 'prefer' });
    assert.equal(c.conn.tls, false);
    c.close();
  });

  it('connection refused and timeouts are clear errors', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await rejectsUpstream({ ...root, port }, /cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      await rejectsUpstream({ ...root, port: (silent.address() as AddressInfo).port, connectTimeoutMs: 300 }, /timed out after 300 ms/);
    } finally {
      silent.close();
    }
  });

  for (const deprecateEof of [true, false]) {
    const label = deprecateEof ? 'with CLIENT_DEPRECATE_EOF' : 'with EOF packets';
    const caps = unionCaps(deprecateEof ? DEFAULT_CLIENT_CAPABILITIES : withoutCaps(DEFAULT_CLIENT_CAPABILITIES, CLIENT_DEPRECATE_EOF), CLIENT_MULTI_STATEMENTS);

    it(`COM_QUERY round trips through the response tracker (${label})`, async () => {
      const c = await open({ ...root, clientCapabilities: caps });
      assert.equal(hasCaps(c.conn.capabilities, CLIENT_DEPRECATE_EOF), deprecateEof);
      const insert = await c.query(`INSERT INTO test.${table} (name, price, at, n) VALUES ('a', 1.5, '2024-02-29 12:34:56.789', 18446744073709551615), ('b', NULL, NULL, 7)`);
      assert.equal(insert.outcomes.length, 1);
      const ok = insert.outcomes[0] as Extract<ResponseOutcome, { kind: 'ok' }>;
      assert.equal(ok.kind, 'ok');
      assert.equal(ok.affectedRows, 2);
      assert.ok(ok.lastInsertId > 0n);
      assert.match(ok.info, /Records: 2/);

      const select = await c.query(`SELECT name, price, n FROM test.${table} WHERE id >= ${ok.lastInsertId} ORDER BY id`);
      assert.deepEqual(select.outcomes, [{ kind: 'rows', columns: 3, rows: 2, warnings: 0, status: select.outcomes[0]!.kind === 'rows' ? (select.outcomes[0] as { status: number }).status : 0, cursor: false }]);
      assert.deepEqual(rowsOf(select.packets, c.conn.capabilities), [
        ['a', '1.50', '18446744073709551615'],
        ['b', 'NULL', '7'],
      ]);

      const error = await c.query('SELEKT 1');
      assert.deepEqual(
        error.outcomes.map((o) => (o.kind === 'error' ? { code: o.code, sqlstate: o.sqlstate } : o)),
        [{ code: 1064, sqlstate: '42000' }],
      );

      const multi = await c.query(`SELECT 1 AS one; UPDATE test.${table} SET name = 'c' WHERE id = ${ok.lastInsertId}; SELECT 2, 3 UNION SELECT 4, 5; DO 1`);
      assert.deepEqual(
        multi.outcomes.map((o) => (o.kind === 'rows' ? `rows ${o.columns}x${o.rows}` : o.kind === 'ok' ? `ok ${o.affectedRows}` : o.kind)),
        ['rows 1x1', 'ok 1', 'rows 2x2', 'ok 0'],
      );
      // An error stops a multi-statement: the statements after it do not run.
      const failing = await c.query('SELECT 1; SELECT * FROM no_such_table; SELECT 3');
      assert.deepEqual(failing.outcomes.map((o) => (o.kind === 'error' ? o.code : o.kind)), ['rows', 1146]);
      // The connection is still in step.
      const ping = await c.command({ kind: 'ping' });
      assert.equal(ping.outcomes[0]?.kind, 'ok');
      const initDb = await c.command({ kind: 'init-db', database: 'no_such_db_here' });
      assert.equal(initDb.outcomes[0]?.kind, 'error');
      const fields = await c.command({ kind: 'field-list', table, wildcard: '' });
      assert.equal(fields.packets.length, 6); // five column definitions and the terminator
      assert.equal(decodeColumnDefinition(fields.packets[1]!, c.conn.capabilities, true).name, 'name');
      c.close();
    });

    it(`prepared statements: prepare, execute with binary rows, close (${label})`, async () => {
      const c = await open({ ...root, clientCapabilities: caps });
      const prepared = await c.command({ kind: 'stmt-prepare', query: `SELECT id, name, price, at, n, ? + 1 AS p FROM test.${table} WHERE name = ? ORDER BY id DESC` });
      const p = prepared.outcomes[0] as Extract<ResponseOutcome, { kind: 'prepared' }>;
      assert.equal(p.kind, 'prepared');
      assert.equal(p.params, 2);
      assert.equal(p.columns, 6);
      const eof = deprecateEof ? 0 : 1;
      const columnPackets = prepared.packets.slice(1 + p.params + eof, 1 + p.params + eof + p.columns);
      const columns = columnPackets.map((b) => decodeColumnDefinition(b, c.conn.capabilities));
      assert.deepEqual(columns.map((col) => col.name), ['id', 'name', 'price', 'at', 'n', 'p']);

      const exec = await c.send(
        encodeStmtExecute({ statementId: p.statementId, params: [{ type: TYPE.LONGLONG, unsigned: false, value: 41 }, { type: TYPE.VAR_STRING, unsigned: false, value: 'b' }] }, c.conn.capabilities),
      );
      const rows = exec.outcomes[0] as Extract<ResponseOutcome, { kind: 'rows' }>;
      assert.equal(rows.kind, 'rows');
      assert.ok(rows.rows >= 1);
      // The execute's own column definitions, then the binary rows.
      const execColumns = exec.packets.slice(1, 1 + p.columns).map((b) => decodeColumnDefinition(b, c.conn.capabilities));
      const firstRow = exec.packets[1 + p.columns + eof]!;
      const values = decodeBinaryRow(firstRow, execColumns);
      assert.deepEqual(values.slice(1), ['b', null, null, 7, 42]);
      // A row with every value: DECIMAL as text, DATETIME(3) with its fraction, a BIGINT UNSIGNED beyond 2^53 as text.
      const full = await c.send(
        encodeStmtExecute({ statementId: p.statementId, params: [{ type: TYPE.LONG, unsigned: true, value: 4000000000 }, { type: TYPE.STRING, unsigned: false, value: 'c' }] }, c.conn.capabilities),
      );
      const fullRow = decodeBinaryRow(full.packets[1 + p.columns + eof]!, execColumns);
      assert.deepEqual(fullRow.slice(1), ['c', '1.50', '2024-02-29 12:34:56.789000', '18446744073709551615', 4000000001]);

      const missing = await c.send(encodeStmtExecute({ statementId: p.statementId + 1000, params: [] }, c.conn.capabilities));
      assert.equal(missing.outcomes[0]?.kind, 'error');
      const closed = await c.command({ kind: 'stmt-close', statementId: p.statementId });
      assert.equal(closed.packets.length, 0);
      const again = await c.send(encodeStmtExecute({ statementId: p.statementId, params: [] }, c.conn.capabilities));
      assert.equal((again.outcomes[0] as { code?: number }).code, 1243); // ER_UNKNOWN_STMT_HANDLER
      c.close();
    });
  }

  it("the tracker and reader give the same outcomes on the server's real bytes split at every offset", async () => {
    const c = await open({ ...root, clientCapabilities: unionCaps(DEFAULT_CLIENT_CAPABILITIES, CLIENT_MULTI_STATEMENTS) });
    const r = await c.query("SELECT 1 AS a, 'x' AS b, NULL AS c UNION SELECT 2, REPEAT('y', 300), 'z'; SELECT 'done'; DO 0");
    c.close();
    for (let cut = 0; cut <= r.raw.length; cut++) {
      const reader = new PacketReader();
      const tracker = new ResponseTracker(c.conn.capabilities, COM.QUERY);
      for (const part of [r.raw.subarray(0, cut), r.raw.subarray(cut)]) {
        reader.push(part);
        for (let p = reader.next(); p !== null; p = reader.next()) tracker.serverPacket(p.payload);
      }
      assert.ok(tracker.done, `split at ${cut}`);
      assert.deepEqual(tracker.outcomes, r.outcomes, `split at ${cut}`);
    }
  });
});
