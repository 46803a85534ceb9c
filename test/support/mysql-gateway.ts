import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { AuditMode, Gateway } from '../../src/gateway/engine.js';
import { createMysqlGateway, type MysqlGatewayOptions } from '../../src/gateway/mysql/index.js';
import { FailureThrottle } from '../../src/api/throttle.js';
import { startTestApi, type TestApi } from './api.js';
import { run } from './gateway.js';
import { ledgerEvents, PASSWORDS, seedTestPolicy, type TestPolicy } from './test-policy.js';
import { mysqlTarget } from './mysql-client.js';
import type { StoreKind } from './stores.js';

export const MYSQL_CONNECTION = 'mytest';

export interface TestMysqlGateway {
  api: TestApi;
  gateway: Gateway;
  port: number;
  /** The upstream database of this gateway's sample tables (unique per run). */
  database: string;
  aliceToken: string;
  grants: TestPolicy['grants'];
  /** A mysql2 connection through the gateway. */
  client(user: keyof typeof PASSWORDS, extra?: Partial<mysql.ConnectionOptions>): Promise<mysql.Connection>;
  /** The real mysql (MariaDB) client's arguments to log in through the gateway. */
  mysqlArgs(user: string, password: string): string[];
  /** Runs the real mysql (MariaDB) client through the gateway. */
  mysqlCli(user: string, password: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  events(action?: string): Promise<any[]>;
  /** A direct connection to the upstream, bypassing the gateway. */
  direct(): Promise<mysql.Connection>;
  close(): Promise<void>;
}

/**
 * A real MySQL gateway on loopback in front of this machine's MariaDB, with the same users as
 * the PostgreSQL test gateway: alice (analysts: read on the sample database), bob (engineers:
 * read and write) and carol (no group). The sample database is dropped at close.
 */
export async function startTestMysqlGateway(
  options: { store?: StoreKind; auditMode?: AuditMode; gateway?: Partial<MysqlGatewayOptions> } = {},
): Promise<TestMysqlGateway> {
  const api = await startTestApi(options.store ?? 'sqlite');
  const { cp } = api;
  const target = mysqlTarget();
  const database = `gh_${randomBytes(4).toString('hex')}`;
  const direct = () => mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password ?? '', multipleStatements: true });
  const admin = await direct();
  await admin.query(`CREATE DATABASE ${database};
    CREATE TABLE ${database}.customers (id int PRIMARY KEY, name varchar(50) NOT NULL, email varchar(100));
    CREATE TABLE ${database}.orders (id int AUTO_INCREMENT PRIMARY KEY, customer int, amount decimal(10,2) NOT NULL);
    INSERT INTO ${database}.customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', 'grace@example.com');
    INSERT INTO ${database}.orders (customer, amount) VALUES (1, 1), (2, 2), (1, 3), (2, 4), (1, 5);`);
  await admin.end();

  const { aliceToken, grants } = await seedTestPolicy(
    api,
    { name: MYSQL_CONNECTION, engine: 'mysql', host: target.host, port: target.port, database, username: target.user },
    `${database}.*`,
  );

  const gateway = createMysqlGateway({ cp, sessions: api.sessions, auditMode: options.auditMode ?? 'strict', throttle: new FailureThrottle(1000), ...options.gateway });
  const { port } = await gateway.listen('127.0.0.1', 0);
  const mysqlArgs = (user: string, password: string) => ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', user, `--password=${password}`, '--skip-ssl', MYSQL_CONNECTION];
  return {
    api,
    gateway,
    port,
    database,
    aliceToken,
    grants,
    client: (user, extra = {}) =>
      mysql.createConnection({ host: '127.0.0.1', port, user, password: PASSWORDS[user], database: MYSQL_CONNECTION, ...extra }),
    mysqlArgs,
    mysqlCli: (user, password, args, input) => run('mysql', [...mysqlArgs(user, password), ...args], input),
    events: (action) => ledgerEvents(api, action),
    direct,
    async close() {
      await gateway.close();
      const c = await direct();
      await c.query(`DROP DATABASE ${database}`);
      await c.end();
      await api.close();
    },
  };
}
