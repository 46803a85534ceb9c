import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * The path of an executable: first on PATH, then in the given places (Debian puts pgbouncer
 * in /usr/sbin, which is not on every user's PATH). Undefined when it is nowhere.
 */
export function findExecutable(name: string, elsewhere: string[] = []): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const candidate of [...dirs.map((d) => join(d, name)), ...elsewhere]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next place
    }
  }
  return undefined;
}

/** Where a client connects: a database server, a pooler or the gateway. */
export interface ServerTarget {
  host: string;
  port: number;
  user: string;
  /** The database name as the client sends it (for the gateway: the connection's name). */
  database: string;
  password?: string;
}

/** A postgres:// or mysql:// URL as a target, with the engine's defaults for what it leaves out (query parameters are ignored). */
export function targetFromUrl(value: string, defaults: { port: number; user: string; database: string }): ServerTarget {
  const url = new URL(value);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || defaults.port),
    user: decodeURIComponent(url.username || defaults.user),
    database: decodeURIComponent(url.pathname.slice(1)) || defaults.database,
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** Progress for the person watching; stdout stays for the tables and the JSON line. */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A loopback port nothing listens on right now (bound by us, then released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on host:port; rejects after `ms`. */
export async function waitForPort(host: string, port: number, ms: number, stillAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (!stillAlive()) throw new Error(`the process exited before listening on ${host}:${port}`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
