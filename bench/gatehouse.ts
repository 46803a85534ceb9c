import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BenchError, tail } from './errors.js';

/** The built CLI beside this file's build (dist/bench → dist/src/cli). */
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export type AuditMode = 'strict' | 'async';

/** Only what we pass reaches the server: no store or listen settings from the caller's environment. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('GATEHOUSE_')) delete env[key];
  return env;
}

/**
 * Whether this build has the PostgreSQL gateway: `serve` takes --pg-listen and --audit-mode.
 * Undefined when it does, otherwise why not (printed as the note for the skipped columns).
 */
export function gatewayMissing(): string | undefined {
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8', env: cliEnv() });
  if (help.status !== 0) return `\`gatehouse serve --help\` failed: ${tail(help.stderr || help.stdout, 3)}`;
  const missing = ['--pg-listen', '--audit-mode'].filter((flag) => !help.stdout.includes(flag));
  return missing.length ? `this build's \`gatehouse serve\` has no ${missing.join(' or ')} (the PostgreSQL gateway is not in it yet)` : undefined;
}

/** `gatehouse init --data-dir D`; resolves to the first admin's API token. */
export function initDataDir(dataDir: string): string {
  const init = spawnSync(process.execPath, [CLI, 'init', '--data-dir', dataDir], { encoding: 'utf8', env: cliEnv() });
  const token = /^token: (ghk_\S+)$/m.exec(init.stdout)?.[1];
  if (init.status !== 0 || !token) {
    throw new BenchError(`gatehouse init exited with ${init.status} and printed no token:\n${tail(`${init.stdout}\n${init.stderr}`)}`);
  }
  return token;
}

export interface RunningGateway {
  mode: AuditMode;
  pid: number;
  /** http://HOST:PORT/api/v1 */
  apiUrl: string;
  pgHost: string;
  pgPort: number;
  /** stdout and stderr so far (the last 64 KiB). */
  log(): string;
  /** SIGTERM, then waits for the exit (it signs a final checkpoint first). */
  stop(): Promise<void>;
}

const API_LINE = /^gatehouse: admin API on (http:\/\/\S+?\/api\/v1)\b/m;
const PG_LINE = /^gatehouse: postgres gateway on (\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d+)\b/m;

/** `gatehouse serve` with the PostgreSQL gateway on `pgPort`; resolves once it printed both addresses. */
export async function startGateway(dataDir: string, mode: AuditMode, pgPort: number): Promise<RunningGateway> {
  const args = [CLI, 'serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--pg-listen', `127.0.0.1:${pgPort}`, '--no-mysql', '--audit-mode', mode];
  const child = spawn(process.execPath, args, { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let log = '';
  const keep = (d: string) => {
    log = (log + d).slice(-65536);
  };
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exit.then(() => (exited = true));
  const ready = new Promise<{ apiUrl: string; pgHost: string; pgPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('it printed no "admin API on" and "postgres gateway on" lines within 30 s')), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      keep(d);
      if (stdout.length < 65536) stdout += d;
      const api = API_LINE.exec(stdout);
      const pg = PG_LINE.exec(stdout);
      if (api && pg) {
        clearTimeout(timer);
        resolve({ apiUrl: api[1]!, pgHost: pg[1]!.replace(/^\[|\]$/g, ''), pgPort: Number(pg[2]) });
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`it exited (code ${child.exitCode}, signal ${child.signalCode})`));
    });
  });
  child.stderr.setEncoding('utf8').on('data', keep);
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  try {
    const where = await ready;
    return { mode, pid: child.pid!, ...where, log: () => log, stop };
  } catch (error) {
    await stop();
    throw new BenchError(`gatehouse serve --audit-mode ${mode} did not start: ${(error as Error).message}\n${tail(log)}`);
  }
}

/** A small admin API client: JSON in, JSON out, any status ≥ 300 is an error naming the call. */
export function adminApi(apiUrl: string, token: string) {
  return async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 300) throw new BenchError(`admin API ${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

export interface UpstreamSpec {
  /** The connection's name, which clients send as their database name. */
  name: string;
  host: string;
  port: number;
  database: string;
  username: string;
}

export interface BenchLogin {
  user: string;
  password: string;
}

/**
 * The policy the bench runs under: a human user with a password, in a group granted read and
 * write on every object of each upstream connection. Strict policy applies: each statement is
 * classified and decided against these grants before it is forwarded.
 */
export async function setupBenchPolicy(apiUrl: string, token: string, upstreams: UpstreamSpec[]): Promise<BenchLogin> {
  const api = adminApi(apiUrl, token);
  const login = { user: 'bench', password: `bench-${randomBytes(18).toString('base64url')}` };
  await api('POST', '/users', { kind: 'human', name: login.user, password: login.password });
  await api('POST', '/groups', { name: 'bench', description: 'runs pgbench through the gateway' });
  await api('POST', '/groups/bench/members', { principal: login.user });
  for (const u of upstreams) {
    // TLS off: the bench compares paths on loopback (pgbench runs with PGSSLMODE=disable too).
    await api('POST', '/connections', {
      name: u.name,
      engine: 'postgres',
      host: u.host,
      port: u.port,
      database: u.database,
      username: u.username,
      tls_mode: 'disable',
    });
    await api('POST', '/grants', { group: 'bench', on: { connection: u.name }, privileges: ['read', 'write'], reason: 'pgbench' });
  }
  return login;
}
