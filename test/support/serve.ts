import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli.js';

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
