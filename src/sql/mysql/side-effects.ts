// MySQL and MariaDB functions that do more than compute a value. Matched on the last part of
// the lower-cased name, whatever the schema (loadable functions live in no schema at all).
// Calling one adds the flag side_effect_function (plus the entry's flags) and needs the
// entry's privilege on the connection as a whole. See docs/sql.md, "MySQL: functions".
import type { Privilege, StatementFlag } from '../types.js';

export interface SideEffect {
  /** null: flagged only, so that a deny rule can single it out. */
  requires: Privilege | null;
  flags?: StatementFlag[];
  why: string;
}

const admin = (why: string, flags?: StatementFlag[]): SideEffect => ({ requires: 'admin', why, ...(flags ? { flags } : {}) });
const write = (why: string): SideEffect => ({ requires: 'write', why });
const flagOnly = (why: string): SideEffect => ({ requires: null, why });

const EXACT: Record<string, SideEffect> = {
  // "String Functions": LOAD_FILE reads any file the server can read (FILE privilege).
  load_file: admin('reads a file on the database server', ['server_file']),
  // lib_mysqludf_sys and look-alikes: run a shell command on the server.
  sys_exec: admin('runs a shell command on the server', ['dynamic_code']),
  sys_eval: admin('runs a shell command on the server', ['dynamic_code']),
  sys_get: admin('reads a server environment variable'),
  sys_set: admin('sets a server environment variable'),
  // "Locking Functions": other sessions' work waits on named locks, as on LOCK TABLES.
  get_lock: write("takes a named lock that other sessions' work waits on"),
  // MySQL locking service (loadable functions).
  service_get_read_locks: write("takes named locks that other sessions' work waits on"),
  service_get_write_locks: write("takes named locks that other sessions' work waits on"),
  // MariaDB sequences (NEXTVAL/SETVAL take the sequence as a bare name, which the
  // parser reports as a column): the change is not undone by ROLLBACK.
  nextval: write('advances a sequence'),
  setval: write('sets a sequence'),
  // Only take time or CPU: flagged for deny rules, no privilege needed (any read can be slow).
  sleep: flagOnly('waits'),
  benchmark: flagOnly('evaluates an expression many times (CPU)'),
  // Keyring, audit log, firewall and version-token plugins: server administration.
  audit_log_read: admin('reads the audit log'),
  audit_log_read_bookmark: admin('reads the audit log'),
  audit_log_rotate: admin('rotates the audit log'),
  set_firewall_mode: admin('changes the firewall'),
};

const PREFIXES: ReadonlyArray<readonly [string, SideEffect]> = [
  ['audit_log_', admin('changes audit log filters or settings')],
  ['keyring_key_', admin('reads or changes keyring keys')],
  ['mysql_firewall_', admin('changes the firewall')],
  ['version_tokens_', admin('changes version tokens of the server')],
  ['group_replication_', admin('changes group replication')],
  ['asynchronous_connection_failover_', admin('changes replication failover')],
];

export function sideEffect(name: string): SideEffect | undefined {
  if (Object.hasOwn(EXACT, name)) return EXACT[name];
  for (const [prefix, effect] of PREFIXES) if (name.startsWith(prefix)) return effect;
  return undefined;
}

/** For docs and tests: every exact entry. */
export const SIDE_EFFECT_FUNCTIONS: Readonly<Record<string, SideEffect>> = EXACT;
