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

/** The gateways `gatehouse serve` can run, by the engine of the connections behind them. */
export type Engine = 'postgres' | 'mysql';

const LISTEN_FLAG: Record<Engine, string> = { postgres: '--pg-listen', mysql: '--mysql-listen' };
const OFF_FLAG: Record<Engine, string> = { postgres: '--no-pg', mysql: '--no-mysql' };
const ENGINE_NAME: Record<Engine, string> = { postgres: 'PostgreSQL', mysql: 'MySQL' };

/**
 * Whether this build has the gateway for `engine`: `serve` takes its listen flag and
 * --audit-mode. Undefined when it does, otherwise why not (printed as the note for the skipped columns).
 */
export function gatewayMissing(engine: Engine = 'postgres'): string | undefined {
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8', env: cliEnv() });
  if (help.status !== 0) return `\`gatehouse serve --help\` failed: ${tail(help.stderr || help.stdout, 3)}`;
  const missing = [LISTEN_FLAG[engine], '--audit-mode'].filter((flag) => !help.stdout.includes(flag));
  return missing.length ? `this build's \`gatehouse serve\` has no ${missing.join(' or ')} (the ${ENGINE_NAME[engine]} gateway is not in it yet)` : undefined;
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

export interface Address {
  host: string;
  port: number;
}

export interface RunningGateway {
  mode: AuditMode;
  pid: number;
  /** http://HOST:PORT/api/v1 */
  apiUrl: string;
  /** Where each gateway that was asked for listens. */
  listeners: Partial<Record<Engine, Address>>;
  /** stdout and stderr so far (the last 64 KiB). */
  log(): string;
  /** SIGTERM, then waits for the exit (it signs a final checkpoint first). */
  stop(): Promise<void>;
}

const API_LINE = /^gatehouse: admin API on (http:\/\/\S+?\/api\/v1)\b/m;
/** What `serve` prints for each gateway once it listens (its engine in the line is the same word as ours). */
const listenLine = (engine: Engine) => new RegExp(`^gatehouse: ${engine} gateway on (\\[[0-9a-fA-F:.]+\\]|[^\\s:]+):(\\d+)\\b`, 'm');

/**
 * `gatehouse serve` with a gateway on 127.0.0.1 at each port given (the others are turned
 * off); resolves once it printed the API's address and each gateway's.
 */
export async function startGateway(dataDir: string, mode: AuditMode, ports: Partial<Record<Engine, number>>): Promise<RunningGateway> {
  const engines = (Object.keys(LISTEN_FLAG) as Engine[]).filter((e) => ports[e] !== undefined);
  const args = [CLI, 'serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--audit-mode', mode];
  for (const e of Object.keys(LISTEN_FLAG) as Engine[]) {
    args.push(...(ports[e] !== undefined ? [LISTEN_FLAG[e], `127.0.0.1:${ports[e]}`] : [OFF_FLAG[e]]));
  }
  const child = spawn(process.execPath, args, { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let log = '';
  const keep = (d: string) => {
    log = (log + d).slice(-65536);
  };
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exit.then(() => (exited = true));
  const expected = ['"admin API on"', ...engines.map((e) => `"${e} gateway on"`)].join(' and ');
  const ready = new Promise<{ apiUrl: string; listeners: RunningGateway['listeners'] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`it printed no ${expected} lines within 30 s`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      keep(d);
      if (stdout.length < 65536) stdout += d;
      const api = API_LINE.exec(stdout);
      const found = engines.map((e) => [e, listenLine(e).exec(stdout)] as const);
      if (api && found.every(([, m]) => m)) {
        clearTimeout(timer);
        const listeners = Object.fromEntries(found.map(([e, m]) => [e, { host: m![1]!.replace(/^\[|\]$/g, ''), port: Number(m![2]) }]));
        resolve({ apiUrl: api[1]!, listeners });
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
  engine: Engine;
  host: string;
  port: number;
  database: string;
  username: string;
  /** The upstream account's password, if it has one (kept encrypted by the control plane). */
  password?: string;
}

export interface BenchLogin {
  user: string;
  password: string;
}

/**
 * The policy the bench runs under: a human user with a password, in a group granted read and
 * write on every object of each upstream connection, and nothing else (no ddl, no admin, no
 * other connection). Strict policy applies: each statement is classified and decided against
 * these grants before it is forwarded. The password also gives the user MySQL verifiers, so the
 * same login works on both gateways.
 */
export async function setupBenchPolicy(apiUrl: string, token: string, upstreams: UpstreamSpec[]): Promise<BenchLogin> {
  const api = adminApi(apiUrl, token);
  const login = { user: 'bench', password: `bench-${randomBytes(18).toString('base64url')}` };
  await api('POST', '/users', { kind: 'human', name: login.user, password: login.password });
  await api('POST', '/groups', { name: 'bench', description: 'runs the benchmarks through the gateway' });
  await api('POST', '/groups/bench/members', { principal: login.user });
  for (const u of upstreams) {
    // TLS off: the bench compares paths on loopback (its clients do not use TLS either).
    await api('POST', '/connections', {
      name: u.name,
      engine: u.engine,
      host: u.host,
      port: u.port,
      database: u.database,
      username: u.username,
      ...(u.password !== undefined ? { password: u.password } : {}),
      tls_mode: 'disable',
    });
    await api('POST', '/grants', { group: 'bench', on: { connection: u.name }, privileges: ['read', 'write'], reason: 'benchmark' });
  }
  return login;
}
