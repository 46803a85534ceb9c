import { spawn, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { CLI, gatehouse } from './cli.js';
import { TEST_PG_URL } from './stores.js';

export interface RunningServe {
  child: ChildProcess;
  /** http://HOST:PORT (the API is under /api/v1). */
  api: string;
  pgPort: number;
  /** What serve printed so far on stdout and stderr. */
  out(): string;
  err(): string;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `gatehouse serve` and resolves with the API URL and the PostgreSQL gateway's port once both listen. */
export function startServe(dataDir: string, extra: string[]): Promise<RunningServe> {
  const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', dataDir, '--http-listen', '127.0.0.1:0', '--pg-listen', '127.0.0.1:0', '--mysql-listen', '127.0.0.1:0', ...extra], {
    env: { ...process.env, GATEHOUSE_DATA_DIR: '', GATEHOUSE_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}\n${err}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const api = /admin API on (http:\/\/\S+)\/api\/v1/.exec(out);
      const pg = /postgres gateway on 127\.0\.0\.1:(\d+)/.exec(out);
      if (api && pg) {
        clearTimeout(timer);
        resolve({
          child,
          api: api[1]!,
          pgPort: Number(pg[1]),
          out: () => out,
          err: () => err,
          stop: () => (child.kill('SIGTERM'), exited),
        });
      }
    });
    void exited.then(() => reject(new Error(`serve exited:\n${out}\n${err}`)));
  });
}

/**
 * Through the admin CLI of a running serve: a connection `main` to this machine's PostgreSQL
 * and a user `writer` (with `password`) in a group granted read and write on it.
 */
export function setUpWriter(serve: RunningServe, token: string, password: string): void {
  const env = { GATEHOUSE_URL: serve.api, GATEHOUSE_TOKEN: token };
  const url = new URL(TEST_PG_URL);
  for (const [args, input] of [
    [['connections', 'create', 'main', '--engine', 'postgres', '--host', url.hostname, '--port', url.port || '5432', '--database', url.pathname.slice(1), '--username', decodeURIComponent(url.username), '--tls-mode', 'disable']],
    [['users', 'create', 'writer', '--password-stdin'], `${password}\n`],
    [['groups', 'create', 'writers', '--description', 'write the main database']],
    [['groups', 'add-member', 'writers', 'writer']],
    [['grants', 'create', '--group', 'writers', '--connection', 'main', '--privileges', 'read,write']],
  ] as const) {
    const r = gatehouse([...args], input ?? '', env);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
}
