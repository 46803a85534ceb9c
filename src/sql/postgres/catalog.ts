// When a read counts as a read of the system catalogs only (flag system_catalog), which a
// policy may allow to anyone who can use the connection, so that psql's \d and the
// metadata queries of drivers and IDEs work without a grant on pg_catalog.
//
// It must not become a way around grants, so besides touching only pg_catalog and
// information_schema relations, the statement must call nothing that could be user code:
// functions must be written pg_catalog-qualified (as psql does since CVE-2018-1058) or be
// one of the SQL-standard aggregates, and operators must be the built-in symbols.
// Catalog relations that expose data or other sessions' activity never count.
import type { ObjectAccess } from '../types.js';

const CATALOG_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/**
 * Catalog relations that show more than schema: statistics with sample values
 * (pg_stats), other sessions' statements (pg_stat_activity), password hashes, user mapping
 * options (passwords), subscription connection strings, server configuration files, large
 * object data.
 */
const SENSITIVE = new Set([
  'pg_authid', 'pg_shadow', 'pg_user_mapping', 'pg_user_mappings', 'pg_statistic', 'pg_statistic_ext_data',
  'pg_stats', 'pg_stats_ext', 'pg_stats_ext_exprs', 'pg_stat_activity', 'pg_largeobject', 'pg_subscription',
  'pg_file_settings', 'pg_hba_file_rules', 'pg_ident_file_mappings',
]);

const SENSITIVE_FUNCTIONS = new Set(['pg_stat_get_activity', 'pg_stat_get_backend_activity']);

const STANDARD_AGGREGATES = new Set(['count', 'min', 'max', 'sum', 'avg', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every']);

const BUILTIN_OPERATORS = new Set([
  '=', '<>', '!=', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||', '~', '!~', '~*', '!~*', '~~', '!~~', '~~*', '!~~*',
  '&&', '@>', '<@', '^',
]);

function functionAllowed(name: string): boolean {
  const parts = name.split('.');
  const last = parts[parts.length - 1]!;
  if (SENSITIVE_FUNCTIONS.has(last)) return false;
  if (parts.length === 1) return STANDARD_AGGREGATES.has(last);
  return parts.length === 2 && CATALOG_SCHEMAS.has(parts[0]!);
}

function operatorAllowed(name: string): boolean {
  const parts = name.split('.');
  const last = parts[parts.length - 1]!;
  return BUILTIN_OPERATORS.has(last) && (parts.length === 1 || (parts.length === 2 && parts[0] === 'pg_catalog'));
}

export function onlySystemCatalog(objects: readonly ObjectAccess[], functions: Iterable<string>, operators: Iterable<string>): boolean {
  if (objects.length === 0) return false;
  if (!objects.every((o) => o.privilege === 'read' && CATALOG_SCHEMAS.has(o.schema) && !SENSITIVE.has(o.name))) return false;
  for (const f of functions) if (!functionAllowed(f)) return false;
  for (const op of operators) if (!operatorAllowed(op)) return false;
  return true;
}
