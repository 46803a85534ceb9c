import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import pg from 'pg';
import type { AuditMode, Gateway } from '../../src/gateway/engine.js';
import type { SessionRegistry } from '../../src/gateway/sessions.js';
import { createPostgresGateway, type PostgresGatewayOptions } from '../../src/gateway/postgres/index.js';
import { FailureThrottle } from '../../src/api/throttle.js';
import { startTestApi, type TestApi } from './api.js';
import { TEST_PG_URL, type StoreKind } from './stores.js';
import { ledgerEvents, PASSWORDS, seedTestPolicy, type TestPolicy } from './test-policy.js';

export { PASSWORDS };

export interface TestGateway {
  api: TestApi;
  gateway: Gateway;
  sessions: SessionRegistry;
  port: number;
  /** The schema of this gateway's sample tables in the upstream (unique per run). */
  schema: string;
  /** A token of alice's (works as her database password too). */
  aliceToken: string;
  grants: TestPolicy['grants'];
  /** A connection string through the gateway. */
  url(user: string, password: string, database?: string): string;
  client(user: keyof typeof PASSWORDS, extra?: Partial<pg.ClientConfig>): Promise<pg.Client>;
  /** Runs the real psql through the gateway. */
  psql(user: keyof typeof PASSWORDS, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The ledger's events so far (after the pending ones are committed). */
  events(action?: string): Promise<any[]>;
  /** A direct connection to the upstream, bypassing the gateway (to check what happened). */
  direct(): Promise<pg.Client>;
  close(): Promise<void>;
}

/**
 * A real gateway on loopback in front of this machine's PostgreSQL, over a control plane on
 * the given store, with three users: alice (analysts: read on the sample schema), bob
 * (engineers: read and write there) and carol (in no group). Sample tables live in a schema
 * of their own, dropped at close.
 */
export async function startTestGateway(
  options: { store?: StoreKind; auditMode?: AuditMode; gateway?: Partial<PostgresGatewayOptions> } = {},
): Promise<TestGateway> {
  const api = await startTestApi(options.store ?? 'sqlite');
  const { cp } = api;
  const schema = `gh_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema};
    CREATE TABLE ${schema}.customers (id int PRIMARY KEY, name text NOT NULL, email text);
    CREATE TABLE ${schema}.orders (id serial PRIMARY KEY, customer int REFERENCES ${schema}.customers, amount numeric NOT NULL);
    INSERT INTO ${schema}.customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com');
    INSERT INTO ${schema}.orders (customer, amount) SELECT 1 + i % 2, i FROM generate_series(1, 10) i;`);
  await admin.end();

  const url = new URL(TEST_PG_URL);
  const { aliceToken, grants } = await seedTestPolicy(
    api,
    { name: 'pgtest', engine: 'postgres', host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), username: decodeURIComponent(url.username) },
    `${schema}.*`,
  );

  const sessions = api.sessions; // wired as serve wires it: disabled accounts lose their sessions
  const gateway = createPostgresGateway({
    cp,
    sessions,
    auditMode: options.auditMode ?? 'strict',
    throttle: new FailureThrottle(1000),
    ...options.gateway,
  });
  const { port } = await gateway.listen('127.0.0.1', 0);
  const connectionUrl = (user: string, password: string, database = 'pgtest') =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  return {
    api,
    gateway,
    sessions,
    port,
    schema,
    aliceToken,
    grants,
    url: connectionUrl,
    async client(user, extra = {}) {
      const client = new pg.Client({ connectionString: connectionUrl(user, PASSWORDS[user]), ...extra });
      await client.connect();
      return client;
    },
    psql(user, args, input) {
      return runPsql(['-X', '-v', 'ON_ERROR_STOP=0', '-d', connectionUrl(user, PASSWORDS[user]), ...args], input);
    },
    events: (action) => ledgerEvents(api, action),
    async direct() {
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      return client;
    },
    async close() {
      await gateway.close();
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
      await api.close();
    },
  };
}

export function runPsql(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('psql', args, input, env);
}

/**
 * Runs a client program without blocking the event loop: the gateway under test lives in
 * this same process, so a synchronous spawn would leave it unable to answer.
 */
export function run(program: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { ...process.env, PGCONNECT_TIMEOUT: '10', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
