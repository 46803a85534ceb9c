import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.js';
import { ledgerMigration } from './001-ledger.js';
import { controlPlaneMigration } from './002-control-plane.js';
import { mysqlVerifiersMigration } from './003-mysql-verifiers.js';

/**
 * Every migration, in order. Names sort lexically; a migration is never edited once released,
 * a change is a new one. They are plain objects (no file scanning) so the build holds them all.
 */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001-ledger': ledgerMigration(dialect),
    '002-control-plane': controlPlaneMigration(dialect),
    '003-mysql-verifiers': mysqlVerifiersMigration(dialect),
  };
  return { getMigrations: async () => migrations };
}
