import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { StoreConfig } from '../../src/config/store.js';
import { SQLITE_FILE } from '../../src/store/index.js';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/**
 * The PostgreSQL server the tests use (this machine's, trust auth). A missing server is a
 * failure, never a skip: the same tests must run against both stores.
 */
export const TEST_PG_URL = process.env.GATEHOUSE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  kind: StoreKind;
  config: StoreConfig;
  /** CLI flags that select this store. */
  args: string[];
  dataDir: string;
  /** Runs SQL as the database owner with the append-only triggers out of the way (a tamper). */
  tamper(statements: string[]): Promise<void>;
  /** Runs SQL as is (the triggers in force). */
  exec(statement: string): Promise<void>;
  cleanup(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function makeTestStore(kind: StoreKind): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  if (kind === 'sqlite') {
    const withDb = async (work: (db: BetterSqlite3.Database) => void) => {
      const db = new BetterSqlite3(join(dataDir, SQLITE_FILE));
      db.pragma('busy_timeout = 10000');
      try {
        work(db);
      } finally {
        db.close();
      }
    };
    return {
      kind,
      config: { kind: 'sqlite', dataDir },
      args: ['--data-dir', dataDir],
      dataDir,
      tamper: (statements) =>
        withDb((db) => {
          // As the file's owner would: drop every trigger, then write.
          const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[];
          for (const t of triggers) db.exec(`DROP TRIGGER ${t}`);
          for (const s of statements) db.exec(s);
        }),
      exec: (statement) => withDb((db) => db.exec(statement)),
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = databaseUrl(name);
  const run = async (statements: string[], replica: boolean) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // session_replication_role = replica skips ordinary triggers, as a superuser could.
      if (replica) await client.query('SET session_replication_role = replica');
      for (const s of statements) await client.query(s);
    } finally {
      await client.end();
    }
  };
  return {
    kind,
    config: { kind: 'postgres', url, dataDir },
    args: ['--database-url', url, '--data-dir', dataDir],
    dataDir,
    tamper: (statements) => run(statements, true),
    exec: (statement) => run([statement], false),
    cleanup: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      const client = new pg.Client({ connectionString: TEST_PG_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
