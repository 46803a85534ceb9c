export { openStore, messageOf, SQLITE_FILE } from './open.js';
export type { Store, SqliteStore, PostgresStore } from './open.js';
export type { Database } from './schema.js';
export { StoreError, isStoreUnavailable } from './errors.js';
