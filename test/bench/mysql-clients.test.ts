import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { BenchError } from '../../bench/errors.js';
import { benchMysqlServer, findMysqlClient, INSTALL_MYSQL_CLIENT, runMysqlClients, StartGate, type MysqlTarget } from '../../bench/mysql-clients.js';
import { START_GATE } from '../../bench/mysql-workload.js';
import { uniqueName } from '../support/mysql-client.js';

/** The real MariaDB client against the real server, on a throwaway database. */
describe('mysql bench clients (real mariadb client, real MariaDB)', () => {
  const server = benchMysqlServer();
  const bin = findMysqlClient() ?? assert.fail(`the mariadb client is not on PATH (install: ${INSTALL_MYSQL_CLIENT})`);
  const database = uniqueName('gh_bench');
  const target: MysqlTarget = { ...server, database };
  let dir: string;
  let admin: mysql.Connection;
  let gate: StartGate;
  const script = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, [START_GATE, ...lines].map((l) => `${l};\n`).join(''));
    return file;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-mysql-clients-test-'));
    admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password ?? '' });
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.query(`CREATE TABLE ${database}.t (client INT NOT NULL, n INT NOT NULL)`);
    gate = await StartGate.open(server);
  });
  after(async () => {
    await gate?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every client\'s script to the end, all started at the gate, and times the run', async () => {
    const files = [0, 1, 2, 3].map((c) => script(`c${c}.sql`, Array.from({ length: 50 }, (_, n) => `INSERT INTO t VALUES (${c}, ${n})`)));
    const seconds = await runMysqlClients(bin, target, files, gate, 60);
    assert.ok(seconds > 0 && seconds < 30, `${seconds} s`);
    const [rows] = await admin.query<mysql.RowDataPacket[]>(`SELECT client, COUNT(*) AS n FROM ${database}.t GROUP BY client ORDER BY client`);
    assert.deepEqual(rows.map((r) => [r.client, Number(r.n)]), [[0, 50], [1, 50], [2, 50], [3, 50]]);
  });

  it('keeps logins out of the time: the clock starts when the last client waits at the gate', async () => {
    // Each client sleeps 0.3 s after the gate; logins of 8 processes do not add to that.
    const files = Array.from({ length: 8 }, (_, c) => script(`sleep${c}.sql`, ['DO SLEEP(0.3)']));
    const seconds = await runMysqlClients(bin, target, files, gate, 60);
    assert.ok(seconds >= 0.3 && seconds < 0.6, `${seconds} s`);
  });

  it('fails loudly, with the client\'s words, when a statement fails; the next run still waits at the gate', async () => {
    await assert.rejects(
      runMysqlClients(bin, target, [script('ok.sql', ['DO SLEEP(0.2)']), script('broken.sql', ['SELEC 1'])], gate, 60),
      (e: Error) => e instanceof BenchError && /exited with 1/.test(e.message) && /ERROR 1064/.test(e.message),
    );
    const seconds = await runMysqlClients(bin, target, [script('again.sql', ['DO SLEEP(0.2)'])], gate, 60);
    assert.ok(seconds >= 0.2, `${seconds} s`);
  });

  it('fails loudly, without waiting for the gate, when a client cannot log in', async () => {
    const started = Date.now();
    await assert.rejects(
      runMysqlClients(bin, { ...target, user: uniqueName('nobody') }, [script('login.sql', ['SELECT 1'])], gate, 60),
      (e: Error) => e instanceof BenchError && /ERROR \d+ \(28000\): Access denied/.test(e.message),
    );
    assert.ok(Date.now() - started < 10_000);
  });
});
