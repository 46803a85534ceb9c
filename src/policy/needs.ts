// What a statement needs from the principal's grants before it may run.
import type { ClassifiedStatement, Privilege } from '../sql/types.js';

export type Need =
  /** `privilege` on one relation (from the classifier's objects). */
  | { kind: 'object'; privilege: Privilege; schema: string; name: string }
  /** `privilege` on the connection as a whole (the statement's `requires`): only a grant covering `*.*` has it. */
  | { kind: 'connection'; privilege: Privilege }
  /** Nothing but some live grant on the connection (BEGIN, SET search_path, SELECT 1, catalog reads). */
  | { kind: 'reach' };

/**
 * Schemas whose reads psql, drivers and IDEs issue on their own (\d, metadata queries).
 * mysql and performance_schema count only for the parts the MySQL classifier lets carry the
 * flag (src/sql/mysql/catalog.ts: help and time zone tables, instrumentation setup).
 */
export const CATALOG_SCHEMAS: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema', 'mysql', 'performance_schema']);

/**
 * Catalog relations PostgreSQL itself reserves for superusers because they hold secrets or
 * table data: password hashes, user-mapping and subscription passwords, column statistics
 * (most common values are samples of the data), large objects, server configuration files.
 * The gateway's upstream role may well be a superuser, so these never ride on the catalog
 * rule; they need a grant that covers them like any other relation.
 */
export const PROTECTED_CATALOG_RELATIONS: ReadonlySet<string> = new Set([
  'pg_catalog.pg_authid',
  'pg_catalog.pg_shadow',
  'pg_catalog.pg_user_mapping',
  'pg_catalog.pg_user_mappings',
  'pg_catalog.pg_subscription',
  'pg_catalog.pg_statistic',
  'pg_catalog.pg_statistic_ext_data',
  'pg_catalog.pg_largeobject',
  'pg_catalog.pg_file_settings',
  'pg_catalog.pg_hba_file_rules',
  'pg_catalog.pg_ident_file_mappings',
  'information_schema.user_mapping_options',
  // MySQL: other sessions' statements, password hashes, server links, query logs. (The
  // classifier flags only an allow-list of these schemas' tables; this is the second check.)
  'information_schema.PROCESSLIST',
  'information_schema.INNODB_TRX',
  'mysql.user',
  'mysql.global_priv',
  'mysql.servers',
  'mysql.general_log',
  'mysql.slow_log',
  'performance_schema.threads',
  'performance_schema.processlist',
  'performance_schema.events_statements_current',
  'performance_schema.events_statements_history',
  'performance_schema.events_statements_history_long',
]);

/**
 * The catalog rule: a statement the classifier flags `system_catalog` whose relations are all
 * read from pg_catalog or information_schema (and none of the protected ones) needs no grant
 * on those relations, only some live grant on the connection, so `\d` works for everyone with
 * access. It waives the object needs only: a `requires` (say, admin for a side-effect
 * function called in the same query) still applies.
 */
export function isCatalogRead(statement: ClassifiedStatement): boolean {
  return (
    statement.flags.includes('system_catalog') &&
    statement.objects.every(
      (o) =>
        o.privilege === 'read' && CATALOG_SCHEMAS.has(o.schema) && !PROTECTED_CATALOG_RELATIONS.has(`${o.schema}.${o.name}`),
    )
  );
}

/**
 * The needs of one statement, in the order they are checked: the privilege on the connection
 * as a whole first (it is the more fundamental refusal), then each distinct object access in
 * the classifier's order. A statement that needs nothing else needs reach.
 */
export function statementNeeds(statement: ClassifiedStatement): { needs: Need[]; catalogRead: boolean } {
  const needs: Need[] = [];
  if (statement.requires !== null && statement.requires !== undefined) {
    needs.push({ kind: 'connection', privilege: statement.requires });
  }
  const catalogRead = isCatalogRead(statement);
  if (!catalogRead) {
    const seen = new Set<string>();
    for (const o of statement.objects) {
      const key = JSON.stringify([o.privilege, o.schema, o.name]);
      if (seen.has(key)) continue;
      seen.add(key);
      needs.push({ kind: 'object', privilege: o.privilege, schema: o.schema, name: o.name });
    }
  }
  if (needs.length === 0) needs.push({ kind: 'reach' });
  return { needs, catalogRead };
}
