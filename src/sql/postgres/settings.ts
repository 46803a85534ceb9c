// Which settings a session may change without admin. Most SET/RESET only shape the
// session's own output (DateStyle, statement_timeout, application_name…) and need nothing.
// The exceptions change who the session is, what its unqualified names mean, or what the
// server records about it. https://www.postgresql.org/docs/17/runtime-config.html
import type { Privilege, StatementFlag } from '../types.js';

/** Settings that switch the session's identity (docs: SET ROLE, SET SESSION AUTHORIZATION). */
const IDENTITY = new Set(['role', 'session_authorization']);

/**
 * Settings whose change weakens a safeguard or hides activity. Most of them PostgreSQL
 * reserves for superusers already; the gateway asks for admin before even trying.
 */
const GUARDED = new Set([
  'session_replication_role', // "replica" disables triggers (audit triggers) and FK checks
  'row_security', // how row-level security policies apply
  'event_triggers', // PostgreSQL 17: off disables event triggers
  'restrict_nonsystem_relation_kind', // a security restriction for pg_dump-like sessions
  'allow_system_table_mods',
  'ignore_system_indexes',
  'ignore_checksum_failure',
  'zero_damaged_pages',
  'lo_compat_privileges', // turns off large-object privilege checks
  'local_preload_libraries', // load shared libraries into the session
  'session_preload_libraries',
  'dynamic_library_path',
  'jit_provider',
]);

/** Whole families: server logging, statistics tracking, auditing and debug output. */
const GUARDED_PREFIXES = ['log_', 'track_', 'debug_', 'pgaudit.', 'pg_stat_statements.', 'auto_explain.'];

/**
 * search_path decides which table an unqualified name means, and the classifier resolves
 * unqualified names to `public` (and pg_catalog first). Until the gateway tracks each
 * session's search_path, a value that could send `orders` anywhere but public.orders (or put
 * a user schema before pg_catalog, CVE-2018-1058) needs admin. Allowed: any list of
 * "$user", public and pg_catalog in which pg_catalog, if present, comes first.
 */
function searchPathIsDefaultLike(schemas: readonly string[]): boolean {
  const allowed = new Set(['$user', 'public', 'pg_catalog']);
  if (!schemas.every((s) => allowed.has(s))) return false;
  const catalog = schemas.indexOf('pg_catalog');
  return catalog <= 0;
}

export interface SettingRule {
  requires: Privilege | null;
  flags: StatementFlag[];
}

/**
 * The rule for SET/RESET of `name` (lower-case, as the parser gives it). `values` are the
 * string/identifier values of a SET … TO, or null for RESET, SET … TO DEFAULT and FROM
 * CURRENT (back to a value the server already had).
 */
export function settingRule(name: string, values: readonly string[] | null): SettingRule {
  const key = name.toLowerCase();
  if (IDENTITY.has(key)) return { requires: 'admin', flags: ['role_change'] };
  if (GUARDED.has(key) || GUARDED_PREFIXES.some((p) => key.startsWith(p))) return { requires: 'admin', flags: [] };
  if (key === 'search_path' && values !== null && !searchPathIsDefaultLike(values.map(splitPathItem).flat())) {
    return { requires: 'admin', flags: [] };
  }
  return { requires: null, flags: [] };
}

// `SET search_path = 'a, b'` gives one string holding a list; identifiers give one each.
function splitPathItem(value: string): string[] {
  return value.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')).filter((s) => s !== '');
}
