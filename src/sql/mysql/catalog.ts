// When a MySQL read counts as a read of the system catalogs only (flag system_catalog), so
// that the metadata queries of the mysql client, drivers and IDEs need no grant on the
// catalogs (docs/policy.md, "The catalog-read rule"). The system schemas are
// information_schema, mysql, performance_schema and sys; the parts of them that show data,
// secrets or other sessions' statements never count, and neither do functions that could be
// user code (an unqualified name that is not built in is a stored function of the current
// database).
import type { ObjectAccess } from '../types.js';

export const SYSTEM_SCHEMAS: ReadonlySet<string> = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);

/**
 * information_schema tables that show other sessions' statements (PROCESSLIST, INNODB_TRX's
 * trx_query, QUERY_CACHE_INFO), row values (INNODB_LOCKS' lock_data, INNODB_BUFFER_PAGE,
 * full-text index words) or user statistics.
 */
const SENSITIVE_INFORMATION_SCHEMA = new Set([
  'PROCESSLIST', 'INNODB_TRX', 'INNODB_LOCKS', 'INNODB_LOCK_WAITS', 'INNODB_BUFFER_PAGE', 'INNODB_BUFFER_PAGE_LRU',
  'QUERY_CACHE_INFO', 'INNODB_FT_INDEX_TABLE', 'INNODB_FT_INDEX_CACHE', 'INNODB_FT_DELETED', 'INNODB_FT_BEING_DELETED',
  'USER_STATISTICS', 'CLIENT_STATISTICS', 'THREAD_POOL_QUEUES',
]);

/** The mysql schema holds password hashes, grants, logs and server links: only these count. */
const SAFE_MYSQL = new Set([
  'help_topic', 'help_category', 'help_keyword', 'help_relation',
  'time_zone', 'time_zone_name', 'time_zone_transition', 'time_zone_transition_type', 'time_zone_leap_second',
]);

/**
 * performance_schema: statement texts and digests with samples, thread lists, row locks,
 * other sessions' variables and connection attributes never count. sys (views over it)
 * never counts at all.
 */
const SENSITIVE_PERFORMANCE_SCHEMA = /^(events_statements_|events_transactions_|events_errors_|prepared_statements_instances$|threads$|processlist$|data_locks$|data_lock_waits$|user_variables_by_thread$|variables_by_thread$|session_connect_attrs$|session_account_connect_attrs$|status_by_thread$)/;

export function isSafeCatalogRelation(o: ObjectAccess): boolean {
  switch (o.schema) {
    case 'information_schema':
      return !SENSITIVE_INFORMATION_SCHEMA.has(o.name);
    case 'mysql':
      return SAFE_MYSQL.has(o.name);
    case 'performance_schema':
      return !SENSITIVE_PERFORMANCE_SCHEMA.test(o.name);
    default:
      return false;
  }
}

/** Built-in functions (lower case) that metadata queries use; none reads data or has effects. */
const SAFE_FUNCTIONS = new Set([
  'count', 'min', 'max', 'sum', 'avg', 'group_concat', 'concat', 'concat_ws', 'lower', 'upper', 'lcase', 'ucase',
  'ifnull', 'coalesce', 'if', 'nullif', 'database', 'schema', 'length', 'char_length', 'substring', 'substr',
  'substring_index', 'replace', 'trim', 'ltrim', 'rtrim', 'left', 'right', 'locate', 'instr', 'convert', 'cast',
  'version', 'current_user', 'user', 'session_user', 'system_user', 'connection_id', 'now', 'format', 'round',
  'isnull', 'find_in_set', 'field', 'elt', 'json_object', 'json_arrayagg', 'json_objectagg', 'any_value',
]);

export function onlySystemCatalog(objects: readonly ObjectAccess[], functions: Iterable<string>): boolean {
  if (objects.length === 0) return false;
  if (!objects.every((o) => o.privilege === 'read' && isSafeCatalogRelation(o))) return false;
  for (const f of functions) if (!SAFE_FUNCTIONS.has(f)) return false;
  return true;
}
