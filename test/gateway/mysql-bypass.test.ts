import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { PASSWORDS } from '../support/gateway.js';
import { startTestMysqlGateway, type TestMysqlGateway } from '../support/mysql-gateway.js';

/**
 * Bypass attempts through the wire (issue 5): statements that would change data, the server or
 * its accounts, hidden from a naive reader of the text, sent by a read-only user (alice: read on
 * the sample database) with the real clients. Each one would do harm if it reached MariaDB (the
 * gateway's upstream account is root, and the clients allow multi-statements and local files).
 * Each must be denied (1142), recorded as a denial with the text as sent, and leave the server
 * as it was. Run straight against MariaDB 10.11 as root, every one of these texts changes the
 * server, except: a semicolon inside an executable comment (MariaDB reads it as a syntax error,
 * other versions and servers may not; the classifier keeps the strictest reading), WITH …
 * DELETE (MySQL 8 syntax), and the HANDLER (a read of the account table, not a change).
 */
const EVIL_USER = 'gh_mallory';
const ROW = '9,Mallory,mallory@example.com\n';
/** Files the server would write for the attempts that export. */
const OUT_FILES = ['out.txt', 'dump.bin', 'comment.txt'];

interface Attempt {
  name: string;
  sql: (db: string, dir: string) => string;
  /** Not for the mysql client: its own parser splits or rewrites the text first. */
  driverOnly?: boolean;
}

const ATTEMPTS: Attempt[] = [
  { name: 'a second statement after a read', sql: () => 'SELECT 1; DROP TABLE customers' },
  { name: 'a write in a versioned executable comment', sql: () => 'SELECT 1 /*!50000 ; DELETE FROM customers */' },
  { name: 'a write in an unversioned executable comment', sql: () => 'SELECT 1 /*! ; DELETE FROM customers */' },
  { name: "a write in MariaDB's own executable comment", sql: () => 'SELECT 1 /*M! ; DELETE FROM customers */' },
  { name: "a write in MariaDB's versioned executable comment", sql: () => 'SELECT 1 /*M!100000 ; DELETE FROM customers */' },
  { name: 'an executable comment that is the whole statement', sql: () => '/*!50000 UPDATE customers SET name = NULL WHERE id = 1 */' },
  { name: "MariaDB's executable comment as the whole statement", sql: () => '/*M!100000 DELETE FROM customers WHERE id = 1 */' },
  { name: 'an executable comment as a second statement', sql: () => 'SELECT 1; /*!50000 DELETE FROM customers */' },
  { name: 'a file export in an executable comment', sql: (_db, dir) => `SELECT name FROM customers WHERE id = 1 /*!50000 INTO OUTFILE '${join(dir, 'comment.txt')}' */` },
  { name: 'LOAD DATA LOCAL INFILE', sql: (_db, dir) => `LOAD DATA LOCAL INFILE '${join(dir, 'rows.csv')}' INTO TABLE customers FIELDS TERMINATED BY ','` },
  { name: 'SELECT … INTO OUTFILE', sql: (_db, dir) => `SELECT * FROM customers INTO OUTFILE '${join(dir, 'out.txt')}'` },
  { name: 'SELECT … INTO DUMPFILE', sql: (_db, dir) => `SELECT name FROM customers LIMIT 1 INTO DUMPFILE '${join(dir, 'dump.bin')}'` },
  { name: 'SET GLOBAL', sql: () => 'SET GLOBAL max_connections = 1' },
  { name: 'SET @@global.', sql: () => 'SET @@global.max_connections = 1' },
  { name: 'GRANT', sql: (db) => `GRANT ALL ON ${db}.* TO '${EVIL_USER}'@'%' IDENTIFIED BY 'x'` },
  { name: 'CREATE USER', sql: () => `CREATE USER '${EVIL_USER}'@'%' IDENTIFIED BY 'x'` },
  { name: 'HANDLER on a table outside the grant', sql: () => 'HANDLER mysql.global_priv OPEN AS h; HANDLER h READ FIRST' },
  { name: 'PREPARE from a variable holding a write', sql: () => "SET @q = 'DELETE FROM customers'; PREPARE s FROM @q; EXECUTE s" },
  { name: 'CALL of a procedure that writes', sql: () => 'CALL wipe()' },
  { name: 'a write after a CTE (MySQL 8 syntax)', sql: () => 'WITH c AS (SELECT id FROM customers) DELETE FROM customers WHERE id IN (SELECT id FROM c)' },
  { name: 'an INSERT … SELECT through a CTE', sql: () => "INSERT INTO customers WITH c AS (SELECT 9, 'Mallory', NULL) SELECT * FROM c" },
  { name: 'backtick-quoted names', sql: (db) => `DELETE FROM \`${db}\`.\`customers\` WHERE \`id\` = 1` },
  { name: 'backtick-quoted name with a comment inside the statement', sql: () => 'UPDATE/**/`customers`/**/SET `name` = 0x4d WHERE `id` = 1' },
  { name: 'a write in a multi-statement after a comment with a quote', sql: () => "SELECT 1 /* it's */; TRUNCATE customers", driverOnly: true },
];

describe('MySQL gateway: bypass attempts through the wire are denied and recorded', () => {
  let gw: TestMysqlGateway;
  let dir: string;
  let alice: mysql.Connection;
  before(async () => {
    gw = await startTestMysqlGateway();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-mysql-bypass-'));
    chmodSync(dir, 0o777); // the server (another account) could write its exports here
    writeFileSync(join(dir, 'rows.csv'), ROW);
    const direct = await gw.direct();
    await direct.query(`CREATE PROCEDURE ${gw.database}.wipe() DELETE FROM ${gw.database}.customers`);
    await direct.end();
    alice = await gw.client('alice', { multipleStatements: true, infileStreamFactory: () => Readable.from([Buffer.from(ROW)]) });
  });
  after(async () => {
    await alice?.end();
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the attempts would change, read directly on MariaDB. */
  async function serverState(): Promise<unknown> {
    const direct = await gw.direct();
    try {
      const db = gw.database;
      const [customers] = await direct.query(`SELECT * FROM ${db}.customers ORDER BY id`);
      const [tables] = await direct.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, [db]);
      const [users] = await direct.query('SELECT user FROM mysql.user WHERE user = ?', [EVIL_USER]);
      const [[globals]] = (await direct.query('SELECT @@GLOBAL.max_connections AS max_connections')) as unknown as [[unknown]];
      const files = OUT_FILES.filter((f) => existsSync(join(dir, f)));
      return { customers, tables, users, globals, files };
    } finally {
      await direct.end();
    }
  }

  /** The db.query events of alice since `from`, with the statement text the ledger kept (its payload). */
  async function aliceQueriesSince(from: number): Promise<{ allow: boolean; classes: string[]; sql: string }[]> {
    const all = await gw.events();
    const out = [];
    for (let i = from; i < all.length; i++) {
      const e = all[i];
      if (e.action !== 'db.query' || e.actor.name !== 'alice') continue;
      const kept = await gw.api.opened.repo.payload(i);
      out.push({ allow: e.decision.allow, classes: e.target.statements.map((s: { class: string }) => s.class), sql: JSON.parse(Buffer.from(kept!.payload).toString('utf8')).sql });
    }
    return out;
  }

  for (const attempt of ATTEMPTS) {
    it(`mysql2: ${attempt.name}`, async () => {
      const sql = attempt.sql(gw.database, dir);
      const before = await serverState();
      const from = (await gw.events()).length;
      await assert.rejects(alice.query(sql), (e: Error & { errno?: number; sqlState?: string }) => {
        assert.deepEqual([e.errno, e.sqlState], [1142, '42000'], e.message);
        return true;
      });
      const recorded = await aliceQueriesSince(from);
      assert.deepEqual(recorded.map((q) => [q.allow, q.sql]), [[false, sql]], 'one denial, with the text as sent');
      assert.deepEqual(await serverState(), before, 'nothing changed on the server');
    });
  }

  for (const attempt of ATTEMPTS.filter((a) => !a.driverOnly)) {
    it(`mysql client: ${attempt.name}`, async () => {
      const sql = attempt.sql(gw.database, dir);
      const before = await serverState();
      const from = (await gw.events()).length;
      const r = await gw.mysqlCli('alice', PASSWORDS.alice, ['--comments', '--local-infile=1', '-e', sql]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /ERROR 1142 \(42000\)/);
      const recorded = await aliceQueriesSince(from);
      assert.ok(recorded.some((q) => !q.allow), 'a denial is recorded');
      // The client splits the text at its semicolons and sends each statement alone: a leading
      // read or a user variable's SET may run, nothing else.
      assert.ok(recorded.filter((q) => q.allow).every((q) => q.classes.every((c) => c === 'read' || c === 'session')), JSON.stringify(recorded));
      assert.deepEqual(await serverState(), before, 'nothing changed on the server');
    });
  }
});
