import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError, tail } from './errors.js';
import { pgbouncerIni, pgbouncerUserlist, type PgbouncerOptions } from './pgbouncer-config.js';
import { findExecutable, freePort, waitForPort } from './tools.js';

/** Debian's package installs it outside the PATH of ordinary users. */
export function findPgbouncer(): string | undefined {
  return findExecutable('pgbouncer', ['/usr/sbin/pgbouncer', '/usr/local/sbin/pgbouncer']);
}

export const INSTALL_PGBOUNCER = 'apt-get install pgbouncer (Debian/Ubuntu), dnf install pgbouncer, brew install pgbouncer';

export interface RunningPgbouncer {
  host: string;
  port: number;
  pid: number;
  /** What it logged so far (the last 64 KiB). */
  log(): string;
  /** Stops it (SIGTERM) and removes its files. */
  stop(): Promise<void>;
}

export type PgbouncerStart = Omit<PgbouncerOptions, 'listenPort' | 'authFile' | 'runAsUser'> & { users: string[] };

/**
 * Starts a PgBouncer of its own in a temp directory (its ini and user list) on a free port
 * and resolves once it accepts connections. Started as root, it runs as `postgres`
 * (PgBouncer will not run as root), so its directory must be readable by that user.
 */
export async function startPgbouncer(binary: string, options: PgbouncerStart): Promise<RunningPgbouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pgbouncer-'));
  chmodSync(dir, 0o755);
  const authFile = join(dir, 'userlist.txt');
  const iniFile = join(dir, 'pgbouncer.ini');
  const { users, ...rest } = options;
  const port = await freePort(options.listenHost);
  const root = process.getuid?.() === 0;
  writeFileSync(authFile, pgbouncerUserlist(users), { mode: 0o644 });
  writeFileSync(iniFile, pgbouncerIni({ ...rest, listenPort: port, authFile, ...(root ? { runAsUser: 'postgres' } : {}) }), { mode: 0o644 });

  const child = spawn(binary, [iniFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: string) => {
    log = (log + d).slice(-65536);
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exit.then(() => (exited = true));
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (spawned) throw spawned;
    await waitForPort(options.listenHost, port, 10_000, () => !exited);
  } catch (error) {
    await stop();
    throw new BenchError(`pgbouncer (${options.poolMode} mode) did not start: ${(error as Error).message}\n${tail(log)}`);
  }
  return { host: options.listenHost, port, pid: child.pid!, log: () => log, stop };
}
