import { spawn } from 'node:child_process';
import pg from 'pg';
import { BenchError, tail } from './errors.js';
import { parsePgbenchOutput, type PgbenchResult } from './pgbench-output.js';
import { findExecutable, progress, targetFromUrl, type ServerTarget } from './tools.js';

/** Where pgbench (or any client) connects: PostgreSQL itself, PgBouncer or the gateway. */
export type PgTarget = ServerTarget;

/** A postgres:// URL as a target (no query parameters: the bench passes host, port and user itself). */
export const pgTargetFromUrl = (value: string): PgTarget => targetFromUrl(value, { port: 5432, user: 'postgres', database: 'postgres' });

/** The PostgreSQL server of the benchmarks (GATEHOUSE_TEST_PG_URL, as the tests); its database is only used to create ours. */
export const benchPgServer = () => pgTargetFromUrl(process.env.GATEHOUSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test');

/** pgbench's built-in scripts (-S and the default), or a script file (-f). */
export type PgbenchScript = 'select-only' | 'tpcb-like' | { file: string };

export interface PgbenchRun {
  script: PgbenchScript;
  clients: number;
  seconds: number;
  /** Worker threads (-j); at most `clients`. */
  threads: number;
}

export const BENCH_DATABASE = 'gatehouse_bench';
export const BENCH_SCALE = 10;

export function findPgbench(): string | undefined {
  return findExecutable('pgbench');
}

/**
 * Runs pgbench once and parses its summary. -n: no vacuum before the run, because pgbench's
 * own vacuum and truncate would go through the target too, and a gateway rightly refuses
 * them to a user granted read and write (resetTables does the same step directly, for every
 * target alike). -M simple: the simple query protocol, one Query message per statement.
 * TLS is off for every target (PGSSLMODE=disable): all of this runs on loopback and the
 * figures compare the paths, not the ciphers.
 */
export async function runPgbench(pgbench: string, target: PgTarget, run: PgbenchRun): Promise<PgbenchResult> {
  const args = ['-h', target.host, '-p', String(target.port), '-U', target.user, '-n', '-M', 'simple'];
  args.push('-c', String(run.clients), '-j', String(Math.min(run.threads, run.clients)), '-T', String(run.seconds));
  if (run.script === 'select-only') args.push('-S');
  else if (typeof run.script === 'object') args.push('-f', run.script.file);
  args.push(target.database);
  const env: NodeJS.ProcessEnv = { ...process.env, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' };
  delete env.PGPASSWORD;
  if (target.password !== undefined) env.PGPASSWORD = target.password;

  const child = spawn(pgbench, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A run that hangs (a target that stops answering) is stopped well after its -T.
  const limit = setTimeout(() => child.kill('SIGKILL'), (run.seconds + 60) * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => clearTimeout(limit));
  const shown = `pgbench ${args.join(' ')}`;
  if (code !== 0) {
    throw new BenchError(
      `${shown} ${signal ? `was killed (${signal})` : `exited with ${code}`}:\n${tail(`${stdout}\n${stderr}`)}`,
    );
  }
  const result = parsePgbenchOutput(stdout);
  if (result.transactions === 0 || result.failed > 0) {
    throw new BenchError(`${shown}: ${result.transactions} transactions, ${result.failed} failed:\n${tail(`${stdout}\n${stderr}`)}`);
  }
  return result;
}

const clientFor = (target: PgTarget, database: string) =>
  new pg.Client({
    host: target.host,
    port: target.port,
    user: target.user,
    database,
    ...(target.password !== undefined ? { password: target.password } : {}),
  });

/**
 * The bench database with pgbench's tables at BENCH_SCALE: created if missing, initialised
 * (`pgbench -i -s`) if its tables are missing or at another scale. `server.database` is a
 * database to connect to for CREATE DATABASE; the bench never writes to it.
 */
export async function ensureBenchDatabase(pgbench: string, server: PgTarget): Promise<void> {
  const admin = clientFor(server, server.database);
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
    if (found.rowCount === 0) {
      progress(`creating database ${BENCH_DATABASE}`);
      await admin.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    }
  } finally {
    await admin.end();
  }
  const bench = clientFor(server, BENCH_DATABASE);
  await bench.connect();
  let scale = 0;
  try {
    const tables = await bench.query<{ ok: boolean }>(
      "SELECT to_regclass('pgbench_branches') IS NOT NULL AND to_regclass('pgbench_accounts') IS NOT NULL AS ok",
    );
    if (tables.rows[0]?.ok) {
      const counted = await bench.query<{ n: string }>('SELECT count(*) AS n FROM pgbench_branches');
      scale = Number(counted.rows[0]?.n ?? 0);
    }
  } finally {
    await bench.end();
  }
  if (scale === BENCH_SCALE) return;
  progress(`initialising ${BENCH_DATABASE}: pgbench -i -s ${BENCH_SCALE} (found scale ${scale})`);
  const args = ['-i', '-q', '-s', String(BENCH_SCALE), '-h', server.host, '-p', String(server.port), '-U', server.user, BENCH_DATABASE];
  const env: NodeJS.ProcessEnv = { ...process.env, PGSSLMODE: 'disable' };
  if (server.password !== undefined) env.PGPASSWORD = server.password;
  const child = spawn(pgbench, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new BenchError(`pgbench ${args.join(' ')} exited with ${code}:\n${tail(output)}`);
}

/**
 * What pgbench does before a run unless told -n: vacuum the two small tables and empty the
 * history, so that every cell starts from the same state whatever ran before it. Done
 * directly on PostgreSQL, the same for every target.
 */
export async function resetTables(server: PgTarget): Promise<void> {
  const client = clientFor(server, BENCH_DATABASE);
  await client.connect();
  try {
    await client.query('VACUUM pgbench_branches');
    await client.query('VACUUM pgbench_tellers');
    await client.query('TRUNCATE pgbench_history');
  } finally {
    await client.end();
  }
}
