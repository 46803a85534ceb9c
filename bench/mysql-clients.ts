import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { TEST_MYSQL_URL } from '../test/support/mysql-client.js';
import { BenchError, tail } from './errors.js';
import { CREATE_TABLE, fillStatements, START_GATE, START_LOCK, TABLE, TABLE_ROWS } from './mysql-workload.js';
import { findExecutable, progress, targetFromUrl, type ServerTarget } from './tools.js';

/** Where a MySQL client connects: MariaDB itself or the gateway. */
export type MysqlTarget = ServerTarget;

export const BENCH_DATABASE = 'gatehouse_bench';
export const INSTALL_MYSQL_CLIENT = 'apt-get install mariadb-client';

/**
 * The MariaDB command-line client (`mariadb`, or `mysql` where only the old name exists).
 *
 * Not mysqlslap, although it is in the same package: mysqlslap opens a first connection with no
 * database (client/mysqlslap.c, main(): mysql_real_connect(…, NULL, …)) before its clients
 * connect, and the gateway answers a login without a database with 1046, since the database
 * names the Gatehouse connection. So mysqlslap cannot run through the gateway at all.
 */
export function findMysqlClient(): string | undefined {
  return findExecutable('mariadb') ?? findExecutable('mysql');
}

/** The MariaDB server of the benchmark: the tests' (GATEHOUSE_TEST_MYSQL_URL); its database is only used to create ours. */
export const benchMysqlServer = () => mysqlTargetFromUrl(TEST_MYSQL_URL);

/** A mysql:// URL as a target. */
export const mysqlTargetFromUrl = (value: string): MysqlTarget => targetFromUrl(value, { port: 3306, user: 'root', database: 'test' });

/**
 * Holds START_LOCK on a direct connection to the server while a run's clients start and log
 * in; every script begins with START_GATE, which waits for it. So the time of a run is the
 * time of its statements: logins, process start-up and the gateway's session set-up stay out
 * of it (as pgbench's "without initial connection time").
 */
export class StartGate {
  private constructor(private readonly conn: mysql.Connection) {}

  static async open(server: MysqlTarget): Promise<StartGate> {
    const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password ?? '' });
    const gate = new StartGate(conn);
    try {
      await gate.take();
    } catch (error) {
      await conn.end();
      throw error;
    }
    return gate;
  }

  /** Takes the lock (again, once the last run's clients have passed it). */
  async take(): Promise<void> {
    const [rows] = await this.conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, 60) AS got', [START_LOCK]);
    if (Number(rows[0]!.got) !== 1) throw new BenchError(`could not take the lock ${START_LOCK} within 60 s: another bench run is using this server`);
  }

  /** Resolves once `clients` sessions wait at the gate, or as soon as `failed()` says the run is over. */
  async waitFor(clients: number, limitSeconds: number, failed: () => boolean): Promise<void> {
    const deadline = Date.now() + limitSeconds * 1000;
    while (!failed()) {
      const [rows] = await this.conn.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND INFO = ?",
        [START_GATE],
      );
      if (Number(rows[0]!.n) >= clients) return;
      if (Date.now() > deadline) throw new BenchError(`${rows[0]!.n} of ${clients} clients reached the start gate within ${limitSeconds} s`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Lets the waiting clients go. */
  async release(): Promise<void> {
    await this.conn.query('SELECT RELEASE_LOCK(?)', [START_LOCK]);
  }

  async end(): Promise<void> {
    await this.conn.end();
  }
}

/**
 * Runs one client process per script file, each reading its script from stdin in batch mode
 * (one COM_QUERY per statement, results read and dropped). Each script must start with START_GATE:
 * once every client waits there, the gate opens and the clock starts; it stops when the last
 * client exits. Resolves to those seconds. A client that fails (any statement's error stops
 * it) stops the others and the run, with its own words.
 */
export async function runMysqlClients(bin: string, target: MysqlTarget, scripts: string[], gate: StartGate, limitSeconds: number): Promise<number> {
  const args = ['--no-defaults', '--batch', '--skip-column-names', '--skip-ssl', '-h', target.host, '-P', String(target.port), '-u', target.user, target.database];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MYSQL_PWD;
  // The environment, not the command line: other users of the machine can read command lines.
  if (target.password !== undefined) env.MYSQL_PWD = target.password;
  const children: ChildProcess[] = [];
  const stopAll = () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'));
  const limit = setTimeout(stopAll, limitSeconds * 1000);
  try {
    const exits = scripts.map((script) => {
      const stdin = openSync(script, 'r');
      let child: ChildProcess;
      try {
        child = spawn(bin, args, { env, stdio: [stdin, 'ignore', 'pipe'] });
      } finally {
        closeSync(stdin);
      }
      children.push(child);
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
      return new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => {
          if (code === 0) return resolve();
          const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, after ${limitSeconds} s or another client's failure` : ''})` : `exited with ${code}`;
          reject(new BenchError(`${bin} ${args.join(' ')} < ${script} ${how}:\n${tail(stderr) || '(no output)'}`));
        });
      });
    });
    let failed = false;
    const all = Promise.all(exits);
    all.catch(() => {
      failed = true;
      stopAll();
    });
    // A client that fails before the gate (a refused login) ends the wait too.
    await Promise.race([gate.waitFor(scripts.length, limitSeconds, () => failed), all]);
    const started = performance.now();
    await gate.release();
    try {
      await all;
      return (performance.now() - started) / 1000;
    } finally {
      await gate.take();
    }
  } finally {
    clearTimeout(limit);
    stopAll();
  }
}

/**
 * The bench database and its table on the server: created if missing, filled again if the
 * table is not exactly rows 1…TABLE_ROWS (a run of the read-write workload keeps it so: it
 * deletes and re-inserts a row in one transaction). `server.database` is not written to.
 */
export async function ensureBenchTable(server: MysqlTarget): Promise<void> {
  const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password ?? '' });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${BENCH_DATABASE}`);
    await conn.query(`USE ${BENCH_DATABASE}`);
    const [found] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [BENCH_DATABASE, TABLE],
    );
    if (Number(found[0]!.n) === 1) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n, MIN(id) AS lo, MAX(id) AS hi FROM ${TABLE}`);
      const { n, lo, hi } = rows[0]!;
      if (Number(n) === TABLE_ROWS && Number(lo) === 1 && Number(hi) === TABLE_ROWS) return;
      progress(`${BENCH_DATABASE}.${TABLE} has ${n} rows (ids ${lo}…${hi}); filling it again`);
      await conn.query(`DROP TABLE ${TABLE}`);
    }
    progress(`creating ${BENCH_DATABASE}.${TABLE} with ${TABLE_ROWS.toLocaleString('en-US')} rows`);
    await conn.query(CREATE_TABLE);
    for (const insert of fillStatements()) await conn.query(insert);
  } finally {
    await conn.end();
  }
}
