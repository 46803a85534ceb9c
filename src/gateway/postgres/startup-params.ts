/**
 * Which StartupMessage parameters reach the upstream. PostgreSQL applies every parameter
 * other than user, database, options and replication as a setting of the new session
 * (PostgreSQL docs, "Message Formats" → StartupMessage), so passing them all would let a
 * client set `role`, `session_authorization` or `search_path` before any statement is
 * decided. Only settings that change presentation, never privilege or name resolution,
 * pass; the rest are dropped and the client is told so in a notice.
 */
const PASSED = new Map(
  ['application_name', 'client_encoding', 'DateStyle', 'TimeZone', 'IntervalStyle', 'extra_float_digits', 'bytea_output', 'lc_monetary', 'lc_numeric', 'lc_time'].map(
    (name) => [name.toLowerCase(), name],
  ),
);
const CONSUMED = new Set(['user', 'database']);

export interface SplitParams {
  passed: Record<string, string>;
  dropped: string[];
}

export function splitStartupParams(params: Map<string, string>): SplitParams {
  const passed: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [name, value] of params) {
    if (CONSUMED.has(name)) continue;
    const known = PASSED.get(name.toLowerCase());
    if (known) passed[known] = value;
    else dropped.push(name);
  }
  return { passed, dropped };
}

/** `replication` asks for a walsender: a different protocol that would bypass every decision. */
export function wantsReplication(params: Map<string, string>): boolean {
  const value = params.get('replication');
  return value !== undefined && !['false', 'off', 'no', '0'].includes(value.toLowerCase());
}
