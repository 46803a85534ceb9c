import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * A throwaway PostgreSQL cluster for tests that need what the shared server is not set up
 * for (password authentication, TLS, settings): initdb into a temporary folder, start it on
 * a free loopback port, stop and delete it afterwards. initdb and postgres refuse to run as
 * root, so as root they run as the postgres user (runuser), in a folder that user owns.
 */
export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  /** The Unix socket folder; the superuser `postgres` connects through it without a password. */
  socketDir: string;
  /** The PEM certificate the server presents when started with `tls: true` (self-signed, CN and SAN localhost). */
  certificate: string | null;
  /** Runs SQL as the superuser. */
  sql(text: string, values?: unknown[]): Promise<pg.QueryResult>;
  /** The server log so far (for failure messages). */
  log(): string;
  /** Stops the server at once, as a crash would (`pg_ctl stop -m immediate`), keeping its data. */
  halt(): Promise<void>;
  /** Starts it again after halt(), on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** pg_hba.conf lines after "local all all trust"; default: scram-sha-256 for every user on 127.0.0.1. */
  hba?: string[];
  /** Turn on TLS with a fresh self-signed certificate for localhost (needs the openssl binary). */
  tls?: boolean;
  /** More server settings (-c name=value). */
  settings?: Record<string, string>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const owner = await postgresUser();
  const as = (command: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  const own = (path: string) => owner && chownSync(path, owner.uid, owner.gid);
  own(root);

  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, 'postgres-superuser\n', { mode: 0o600 });
  own(pwfile);
  try {
    await as('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  const hba = ['local all all trust', ...(options.hba ?? ['host all all 127.0.0.1/32 scram-sha-256'])];
  writeFileSync(join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`);

  let certificate: string | null = null;
  if (options.tls) {
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
      '-keyout', join(dataDir, 'server.key'), '-out', join(dataDir, 'server.crt'),
    ]);
    chmodSync(join(dataDir, 'server.key'), 0o600);
    own(join(dataDir, 'server.key'));
    own(join(dataDir, 'server.crt'));
    certificate = readFileSync(join(dataDir, 'server.crt'), 'utf8');
  }
  own(join(dataDir, 'pg_hba.conf'));

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    fsync: 'off',
    full_page_writes: 'off',
    ...(options.tls ? { ssl: 'on' } : {}),
    ...options.settings,
  };
  const serverOptions = [`-p ${port}`, `-k ${root}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const start = () => as('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', serverOptions, 'start']);
  try {
    await start();
  } catch (err) {
    const text = log();
    rmSync(root, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(err as { stderr?: string }).stderr ?? String(err)}\n${text}`);
  }

  return {
    host: '127.0.0.1',
    port,
    socketDir: root,
    certificate,
    log,
    async sql(text, values) {
      const client = new pg.Client({ host: root, port, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        return await client.query(text, values);
      } finally {
        await client.end();
      }
    },
    async halt() {
      await as('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    },
    async restart() {
      await start();
    },
    async stop() {
      try {
        await as('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
