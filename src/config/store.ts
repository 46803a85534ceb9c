import { resolve } from 'node:path';

/** Where Gatehouse keeps its state: the embedded SQLite file in a data directory, or a shared PostgreSQL. */
export type StoreConfig =
  | { kind: 'sqlite'; dataDir: string }
  | { kind: 'postgres'; url: string; dataDir: string };

export interface StoreOptions {
  dataDir?: string;
  databaseUrl?: string;
}

export const DEFAULT_DATA_DIR = './.gatehouse';

/**
 * Flags win over the environment, the environment over the default. The data directory is
 * kept with PostgreSQL too: it holds the keys (ledger signing key), which never go into the database.
 */
export function resolveStoreConfig(flags: StoreOptions, env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const dataDir = resolve(flags.dataDir ?? env.GATEHOUSE_DATA_DIR ?? DEFAULT_DATA_DIR);
  const url = flags.databaseUrl ?? env.GATEHOUSE_DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`--database-url must be a postgres:// URL (got ${redactUrl(url)})`);
    }
    return { kind: 'postgres', url, dataDir };
  }
  return { kind: 'sqlite', dataDir };
}

/** A URL fit for messages: the password never leaves the process. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export function describeStore(config: StoreConfig): string {
  return config.kind === 'sqlite' ? `SQLite in ${config.dataDir}` : `PostgreSQL at ${redactUrl(config.url)}`;
}
