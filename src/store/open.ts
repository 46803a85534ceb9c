import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { describeStore, type StoreConfig } from '../config/store.js';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';
import { StoreError } from './errors.js';

export const SQLITE_FILE = 'gatehouse.db';

interface StoreBase {
  readonly config: StoreConfig;
  readonly db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * The hot paths (ledger appends, proofs) use the driver directly with prepared statements:
 * a query builder compiles each query anew, which costs more than the insert itself there.
 */
export interface SqliteStore extends StoreBase {
  readonly kind: 'sqlite';
  readonly sqlite: BetterSqlite3.Database;
}

export interface PostgresStore extends StoreBase {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
}

export type Store = SqliteStore | PostgresStore;

export async function openStore(config: StoreConfig): Promise<Store> {
  const store = config.kind === 'sqlite' ? openSqlite(config) : await openPostgres(config);
  try {
    await migrate(store);
  } catch (error) {
    await store.close();
    throw new StoreError(`cannot migrate the store (${describeStore(config)}): ${messageOf(error)}`, { cause: error });
  }
  return store;
}

function openSqlite(config: Extract<StoreConfig, { kind: 'sqlite' }>): SqliteStore {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(join(config.dataDir, SQLITE_FILE));
  } catch (error) {
    throw new StoreError(`cannot open ${describeStore(config)}: ${messageOf(error)}`, { cause: error });
  }
  // WAL + synchronous=FULL: a commit is on disk when it returns, and readers never block the writer.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kind: 'sqlite',
    config,
    db,
    sqlite,
    close: async () => {
      await db.destroy(); // closes the better-sqlite3 handle too
    },
  };
}

async function openPostgres(config: Extract<StoreConfig, { kind: 'postgres' }>): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: config.url, max: 10 });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end();
    throw new StoreError(`cannot connect to ${describeStore(config)}: ${messageOf(error)}`, { cause: error });
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    config,
    db,
    pool,
    close: async () => {
      await db.destroy(); // ends the pool
    },
  };
}

async function migrate(store: Store): Promise<void> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.kind) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError(`migration ${failed ?? '?'} failed: ${messageOf(error)}`, { cause: error });
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || String(error) : String(error);
}
