// Functions whose call does more than compute a value: they act on other sessions, the
// server's files or configuration, data outside the relations a grant names, or run SQL
// given as text. A statement calling one is flagged `side_effect_function` and needs the
// privilege below on the connection as a whole (policy: a grant covering every object).
//
// Matched on the last part of the name, whatever the schema: extensions (dblink, adminpack,
// tablefunc, pageinspect) live in whichever schema they were installed into, and a
// look-alike user function in another schema is rare enough that strictness costs little.
// Core functions: https://www.postgresql.org/docs/17/functions-admin.html
import type { Privilege } from '../types.js';

export interface SideEffect {
  /** What the caller needs on the connection as a whole. */
  requires: Privilege;
  /** Also flag `dynamic_code`: the function runs SQL we cannot see. */
  dynamic?: boolean;
  /** The first argument names a sequence the call writes (nextval/setval). */
  sequence?: boolean;
  why: string;
}

const admin = (why: string): SideEffect => ({ requires: 'admin', why });
const sql = (why: string): SideEffect => ({ requires: 'admin', dynamic: true, why });
const write = (why: string): SideEffect => ({ requires: 'write', why });

const EXACT: Record<string, SideEffect> = {
  // Other sessions and the server process (functions-admin.html §9.28.2).
  pg_terminate_backend: admin('ends another session'),
  pg_cancel_backend: admin("cancels another session's query"),
  pg_reload_conf: admin('makes the server re-read its configuration files'),
  pg_rotate_logfile: admin('rotates the server log'),
  pg_log_backend_memory_contexts: admin("writes another backend's memory map to the server log"),
  pg_promote: admin('promotes a standby to primary'),
  pg_switch_wal: admin('forces a WAL segment switch'),
  pg_switch_xlog: admin('pre-10 name of pg_switch_wal'),
  pg_create_restore_point: admin('writes a named restore point into the WAL'),
  pg_backup_start: admin('puts the cluster into backup mode'),
  pg_backup_stop: admin('ends backup mode'),
  pg_start_backup: admin('pre-15 name of pg_backup_start'),
  pg_stop_backup: admin('pre-15 name of pg_backup_stop'),
  pg_wal_replay_pause: admin('pauses recovery on a standby'),
  pg_wal_replay_resume: admin('resumes recovery on a standby'),
  pg_import_system_collations: admin('creates collations from the operating system'),
  // Configuration: set_config is SET under another name, including SET ROLE and search_path.
  set_config: admin('changes a setting, including role and search_path, like SET'),
  // Server files (functions-admin.html §9.28.9) and adminpack.
  pg_read_file: admin('reads a file on the database server'),
  pg_read_binary_file: admin('reads a file on the database server'),
  pg_stat_file: admin('reads file metadata on the database server'),
  pg_ls_dir: admin('lists a directory on the database server'),
  pg_ls_logdir: admin('lists the server log directory'),
  pg_ls_waldir: admin('lists the WAL directory'),
  pg_ls_tmpdir: admin('lists a temporary file directory'),
  pg_ls_archive_statusdir: admin('lists the WAL archive status directory'),
  pg_ls_logicalsnapdir: admin('lists the logical snapshot directory'),
  pg_ls_logicalmapdir: admin('lists the logical mapping directory'),
  pg_ls_replslotdir: admin('lists a replication slot directory'),
  pg_file_write: admin('adminpack: writes a file on the database server'),
  pg_file_rename: admin('adminpack: renames a file on the database server'),
  pg_file_unlink: admin('adminpack: deletes a file on the database server'),
  pg_file_sync: admin('adminpack: fsyncs a file on the database server'),
  pg_logdir_ls: admin('adminpack: lists the server log directory'),
  // Large objects live outside every relation a grant can name (lo_import/lo_export also
  // touch server files). The lo_* prefix is matched below; these two have other names.
  loread: admin('reads a large object, which no relation grant covers'),
  lowrite: admin('writes a large object, which no relation grant covers'),
  // Replication: slots hold back WAL; logical decoding returns every change of every table.
  pg_create_physical_replication_slot: admin('creates a replication slot (retains WAL)'),
  pg_create_logical_replication_slot: admin('creates a replication slot (retains WAL)'),
  pg_copy_physical_replication_slot: admin('creates a replication slot (retains WAL)'),
  pg_copy_logical_replication_slot: admin('creates a replication slot (retains WAL)'),
  pg_drop_replication_slot: admin('drops a replication slot'),
  pg_replication_slot_advance: admin('moves a replication slot, discarding changes'),
  pg_sync_replication_slots: admin('synchronises failover slots from the primary'),
  pg_logical_slot_get_changes: admin('returns (and consumes) every change of every table'),
  pg_logical_slot_get_binary_changes: admin('returns (and consumes) every change of every table'),
  pg_logical_slot_peek_changes: admin('returns every change of every table'),
  pg_logical_slot_peek_binary_changes: admin('returns every change of every table'),
  pg_logical_emit_message: admin('writes a message into the WAL for logical decoding'),
  // Statistics: resetting erases the evidence that monitoring relies on.
  pg_stat_reset: admin('erases statistics'),
  pg_stat_reset_shared: admin('erases statistics'),
  pg_stat_reset_single_table_counters: admin('erases statistics'),
  pg_stat_reset_single_function_counters: admin('erases statistics'),
  pg_stat_reset_slru: admin('erases statistics'),
  pg_stat_reset_replication_slot: admin('erases statistics'),
  pg_stat_reset_subscription_stats: admin('erases statistics'),
  pg_stat_statements_reset: admin('erases pg_stat_statements'),
  // Extensions that reach past relations: raw pages and repair tools.
  get_raw_page: admin('pageinspect: raw pages of any relation, past column and row security'),
  heap_force_kill: admin('pg_surgery: destroys tuples'),
  heap_force_freeze: admin('pg_surgery: rewrites tuple visibility'),
  pg_truncate_visibility_map: admin('pg_visibility: rewrites the visibility map'),
  // Functions that run SQL given as a string, or read whole tables/schemas/databases named
  // by a value: the relations they touch are not in the statement's tree.
  query_to_xml: sql('runs the query given as text'),
  query_to_xmlschema: sql('runs the query given as text'),
  query_to_xml_and_xmlschema: sql('runs the query given as text'),
  table_to_xml: sql('reads the table named by its argument'),
  table_to_xmlschema: sql('reads the table named by its argument'),
  table_to_xml_and_xmlschema: sql('reads the table named by its argument'),
  schema_to_xml: sql('reads every table of a schema'),
  schema_to_xmlschema: sql('reads every table of a schema'),
  schema_to_xml_and_xmlschema: sql('reads every table of a schema'),
  database_to_xml: sql('reads every table of the database'),
  database_to_xmlschema: sql('reads every table of the database'),
  database_to_xml_and_xmlschema: sql('reads every table of the database'),
  ts_stat: sql('runs the query given as text'),
  ts_rewrite: sql('the two-argument form runs the query given as text'),
  crosstab: sql('tablefunc: runs the query given as text'),
  crosstab2: sql('tablefunc: runs the query given as text'),
  crosstab3: sql('tablefunc: runs the query given as text'),
  crosstab4: sql('tablefunc: runs the query given as text'),
  connectby: sql('tablefunc: reads the table named by its argument'),
  xpath_table: sql('xml2: runs a query built from its arguments'),
  // Writes that are not to a named relation: requires write, not admin.
  nextval: { requires: 'write', sequence: true, why: 'advances a sequence (not undone by ROLLBACK)' },
  setval: { requires: 'write', sequence: true, why: 'sets a sequence' },
  pg_notify: write('sends a notification other sessions act on, like NOTIFY'),
  txid_current: write('assigns a transaction ID, like a write'),
  pg_current_xact_id: write('assigns a transaction ID, like a write'),
};

const PREFIXES: ReadonlyArray<readonly [string, SideEffect]> = [
  ['dblink', sql('dblink: connects to a server and runs SQL there')],
  ['lo_', admin('large objects (and lo_import/lo_export server files), which no relation grant covers')],
  ['pg_replication_origin_', admin('creates, drops or moves a replication origin')],
];

// Advisory locks coordinate application workers (job queues, migrations): a session holding
// one can stall them, so taking one needs write, as LOCK TABLE does. Unlocking only
// releases the caller's own locks and is harmless.
const ADVISORY_LOCK = /^pg_(try_)?advisory_(xact_)?lock(_shared)?$/;
const ADVISORY: SideEffect = write("takes an advisory lock that other sessions' work waits on");

/** The side effect of calling the function whose (lower-cased) last name part is given. */
export function sideEffect(name: string): SideEffect | undefined {
  if (Object.hasOwn(EXACT, name)) return EXACT[name];
  if (ADVISORY_LOCK.test(name)) return ADVISORY;
  for (const [prefix, effect] of PREFIXES) if (name.startsWith(prefix)) return effect;
  return undefined;
}

/** For docs and tests: every exact entry. */
export const SIDE_EFFECT_FUNCTIONS: Readonly<Record<string, SideEffect>> = EXACT;
