import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';
import type { AuditMode, SessionInfo } from '../../src/gateway/engine.js';
import type { TestApi } from './api.js';
import { runPsql, startTestGateway } from './gateway.js';
import { MYSQL_CONNECTION, startTestMysqlGateway } from './mysql-gateway.js';
import { PASSWORDS, type TestPolicy, type TestUser } from './test-policy.js';

export { PASSWORDS, type TestUser };

export type EngineName = 'postgres' | 'mysql';

/**
 * An error as a client reads it: `code` is what programs branch on (PostgreSQL: the SQLSTATE;
 * MySQL: the error number), `sqlstate` where the driver reports one.
 */
export interface EngineError {
  code: string;
  sqlstate?: string;
  message: string;
}

/** What became of one statement: its rows (none for a write), or the error the client got. */
export type Outcome = { rows: Record<string, unknown>[] } | { error: EngineError };

/** A driver's session through the gateway (node-postgres, mysql2). */
export interface EngineSession {
  /** The gateway's id of this session (found in the registry by the client's own port). */
  readonly id: string;
  run(sql: string): Promise<Outcome>;
  /** Settles when the connection is gone: with the error the gateway sent on its way out, if any. */
  readonly ended: Promise<EngineError | undefined>;
  end(): Promise<void>;
}

/** A real command-line client (psql, mysql) reading statements from its stdin as they are written. */
export interface CliProcess {
  write(sql: string): void;
  /** Closes its stdin and waits for it to exit. */
  finish(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** A gateway of one engine in front of its test database, with the test policy (test-policy.ts). */
export interface EngineGateway extends TestPolicy {
  readonly api: TestApi;
  /** The Gatehouse connection's name (the database a client names). */
  readonly connection: string;
  /** Where the sample tables are (a PostgreSQL schema, a MySQL database); the grants cover `${schema}.*`. */
  readonly schema: string;
  /** The qualified name of a sample table: customers holds (1, 'Ada', 'ada@example.com'), (2, 'Grace', …); orders has ids 1 to 5 at least. */
  table(name: 'customers' | 'orders'): string;
  /** Logs in with the engine's driver; rejects with an EngineError when the gateway refuses. */
  login(user: string, password: string, options?: { application?: string; database?: string }): Promise<EngineSession>;
  /** A test user's session with their password. */
  session(user: TestUser, options?: { application?: string }): Promise<EngineSession>;
  /** Runs the engine's real client once: one statement, rows as tab-separated lines without headers. */
  cli(user: string, password: string, sql: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts the engine's real client as a session that reads its statements from stdin. */
  cliProcess(user: TestUser): CliProcess;
  /** Runs a statement on the upstream directly, bypassing the gateway. */
  direct(sql: string): Promise<Record<string, unknown>[]>;
  events(action?: string): Promise<any[]>;
  /** Stops the gateway (ends its sessions, writes the last outcomes); close() does it too. */
  stopGateway(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  readonly name: EngineName;
  /** What the engine's clients read in each case, as the engine's server would say it (docs/gateway*.md). */
  readonly errors: Record<'denied' | 'loginFailed' | 'unknownConnection' | 'terminated' | 'ledgerDown', { code: string; sqlstate: string }>;
  /** The words of a failed login, the same for every cause (docs/gateway*.md). */
  loginFailedMessage(user: string): RegExp;
  /** The application name the engine's real client gives itself. */
  readonly cliApplication: string;
  start(options?: { auditMode?: AuditMode }): Promise<EngineGateway>;
}

/** Waits until the registry holds the session whose client uses `port` (it registers as the login ends). */
async function sessionByPort(api: TestApi, port: number): Promise<SessionInfo> {
  for (let i = 0; i < 100; i++) {
    const found = api.sessions.list().find((s) => s.client.port === port);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no live session from port ${port}`);
}

function spawnCli(program: string, args: string[]): CliProcess {
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number>((resolve, reject) => child.on('error', reject).on('close', (code) => resolve(code ?? -1)));
  return {
    write: (sql) => void child.stdin.write(sql),
    async finish() {
      child.stdin.end();
      return { code: await exited, stdout, stderr };
    },
  };
}

/** What a test gateway of either engine (gateway.ts, mysql-gateway.ts) has in common. */
interface TestGatewayBase extends TestPolicy {
  api: TestApi;
  gateway: { close(): Promise<void> };
  events(action?: string): Promise<any[]>;
  close(): Promise<void>;
}

/** An EngineGateway from a test gateway and what is the engine's own. */
function engineGateway(
  gw: TestGatewayBase,
  schema: string,
  own: Pick<EngineGateway, 'connection' | 'login' | 'cli' | 'cliProcess' | 'direct'>,
): EngineGateway {
  return {
    api: gw.api,
    aliceToken: gw.aliceToken,
    grants: gw.grants,
    schema,
    table: (name) => `${schema}.${name}`,
    session: (user, options) => own.login(user, PASSWORDS[user], options),
    events: gw.events,
    stopGateway: () => gw.gateway.close(),
    close: () => gw.close(),
    ...own,
  };
}

const pgError = (e: any): EngineError => ({ code: String(e.code ?? ''), ...(e.code ? { sqlstate: e.code } : {}), message: e.message });

export const postgresEngine: Engine = {
  name: 'postgres',
  errors: {
    denied: { code: '42501', sqlstate: '42501' },
    loginFailed: { code: '28P01', sqlstate: '28P01' },
    unknownConnection: { code: '3D000', sqlstate: '3D000' },
    terminated: { code: '57P01', sqlstate: '57P01' },
    ledgerDown: { code: '58000', sqlstate: '58000' },
  },
  loginFailedMessage: (user) => new RegExp(`password authentication failed for user "${user}"`),
  cliApplication: 'psql',
  async start(options = {}) {
    const gw = await startTestGateway(options);
    const login = async (user: string, password: string, opts: { application?: string; database?: string } = {}): Promise<EngineSession> => {
      const client = new pg.Client({ connectionString: gw.url(user, password, opts.database), ...(opts.application ? { application_name: opts.application } : {}) });
      const ended = new Promise<EngineError | undefined>((resolve) => {
        client.on('error', (e) => resolve(pgError(e)));
        client.on('end', () => resolve(undefined));
      });
      try {
        await client.connect();
      } catch (e) {
        throw pgError(e);
      }
      const { id } = await sessionByPort(gw.api, ((client as any).connection.stream as Socket).localPort!);
      return {
        id,
        ended,
        run: (sql) => client.query(sql).then((r) => ({ rows: r.rows }), (e) => ({ error: pgError(e) })),
        end: () => client.end().catch(() => undefined),
      };
    };
    return engineGateway(gw, gw.schema, {
      connection: 'pgtest',
      login,
      cli: (user, password, sql) => runPsql(['-X', '-At', '-F', '\t', '-d', gw.url(user, password), '-c', sql]),
      cliProcess: (user) => spawnCli('psql', ['-X', '-At', '-F', '\t', '-d', gw.url(user, PASSWORDS[user])]),
      async direct(sql) {
        const client = await gw.direct();
        try {
          return (await client.query(sql)).rows;
        } finally {
          await client.end();
        }
      },
    });
  },
};

const mysqlError = (e: any): EngineError => ({ code: String(e.errno ?? e.code ?? ''), ...(e.sqlState ? { sqlstate: e.sqlState } : {}), message: e.message });

export const mysqlEngine: Engine = {
  name: 'mysql',
  errors: {
    denied: { code: '1142', sqlstate: '42000' },
    loginFailed: { code: '1045', sqlstate: '28000' },
    unknownConnection: { code: '1049', sqlstate: '42000' },
    terminated: { code: '1927', sqlstate: '70100' },
    ledgerDown: { code: '1105', sqlstate: 'HY000' },
  },
  loginFailedMessage: (user) => new RegExp(`Access denied for user '${user}'@'127\\.0\\.0\\.1' \\(using password: YES\\)`),
  cliApplication: 'mysql',
  async start(options = {}) {
    const gw = await startTestMysqlGateway(options);
    const login = async (user: string, password: string, opts: { application?: string; database?: string } = {}): Promise<EngineSession> => {
      let conn: mysql.Connection;
      try {
        conn = await mysql.createConnection({
          host: '127.0.0.1',
          port: gw.port,
          user,
          password,
          database: opts.database ?? MYSQL_CONNECTION,
          ...(opts.application ? { connectAttributes: { program_name: opts.application } } : {}),
        });
      } catch (e) {
        throw mysqlError(e);
      }
      const core = (conn as any).connection;
      const ended = new Promise<EngineError | undefined>((resolve) => {
        core.on('error', (e: unknown) => resolve(mysqlError(e)));
        core.stream.on('close', () => setImmediate(() => resolve(undefined)));
      });
      const { id } = await sessionByPort(gw.api, (core.stream as Socket).localPort!);
      return {
        id,
        ended,
        run: (sql) => conn.query(sql).then(([rows]) => ({ rows: Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [] }), (e) => ({ error: mysqlError(e) })),
        end: () => conn.end().catch(() => undefined),
      };
    };
    return engineGateway(gw, gw.database, {
      connection: MYSQL_CONNECTION,
      login,
      cli: (user, password, sql) => gw.mysqlCli(user, password, ['-N', '-B', '-e', sql]),
      cliProcess: (user) => spawnCli('mysql', [...gw.mysqlArgs(user, PASSWORDS[user]), '-N', '-B']),
      async direct(sql) {
        const conn = await gw.direct();
        try {
          const [rows] = await conn.query(sql);
          return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
        } finally {
          await conn.end();
        }
      },
    });
  },
};

/** Every engine, for tests of what they do alike: `for (const engine of engines) describe(engine.name, …)`. */
export const engines: readonly Engine[] = [postgresEngine, mysqlEngine];
