/**
 * The configuration of a throwaway PgBouncer for the benchmarks: one database alias, one
 * listen address, trust authentication from a user list of its own. Names are checked, not
 * quoted: the bench only ever writes plain identifiers, and a name that would need quoting
 * in the ini or in a libpq connection string is a mistake worth stopping on.
 * (Settings: https://www.pgbouncer.org/config.html)
 */
export type PoolMode = 'session' | 'transaction';

export interface PgbouncerOptions {
  listenHost: string;
  listenPort: number;
  /** The PostgreSQL server behind it. */
  serverHost: string;
  serverPort: number;
  /** The alias clients ask for, and the database on the server it maps to. */
  alias: string;
  database: string;
  /** The server user every alias connection uses (trust on the server side as well). */
  serverUser: string;
  poolMode: PoolMode;
  maxClientConn: number;
  /** Server connections per (database, user) pair. */
  defaultPoolSize: number;
  /** The user list file (see pgbouncerUserlist). */
  authFile: string;
  /**
   * PgBouncer refuses to run as root; started as root it switches to this user (the `user`
   * setting). Leave it out when not running as root.
   */
  runAsUser?: string;
}

const PLAIN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HOST = /^[A-Za-z0-9_.:-]+$/;

function check(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new RangeError(`pgbouncer config: ${what} ${JSON.stringify(value)} is not a plain name`);
  return value;
}

function checkPort(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new RangeError(`pgbouncer config: ${what} ${value} is not a port`);
  return value;
}

function checkCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`pgbouncer config: ${what} ${value} must be a positive integer`);
  return value;
}

/** The pgbouncer.ini text. */
export function pgbouncerIni(o: PgbouncerOptions): string {
  if (/[\n\r;#]/.test(o.authFile) || o.authFile.trim() !== o.authFile || o.authFile === '') {
    throw new RangeError(`pgbouncer config: auth file path ${JSON.stringify(o.authFile)} cannot be written into an ini`);
  }
  const server = [
    `host=${check(o.serverHost, HOST, 'server host')}`,
    `port=${checkPort(o.serverPort, 'server port')}`,
    `dbname=${check(o.database, PLAIN, 'database')}`,
    `user=${check(o.serverUser, PLAIN, 'server user')}`,
  ].join(' ');
  const lines = [
    '[databases]',
    `${check(o.alias, PLAIN, 'alias')} = ${server}`,
    '',
    '[pgbouncer]',
    `listen_addr = ${check(o.listenHost, HOST, 'listen host')}`,
    `listen_port = ${checkPort(o.listenPort, 'listen port')}`,
    // No Unix socket: two instances (or a system one) would fight over /tmp/.s.PGSQL.<port>.
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${o.authFile}`,
    `pool_mode = ${o.poolMode}`,
    `max_client_conn = ${checkCount(o.maxClientConn, 'max_client_conn')}`,
    `default_pool_size = ${checkCount(o.defaultPoolSize, 'default_pool_size')}`,
    // Drivers such as JDBC send it at startup; PgBouncer would otherwise refuse the login.
    'ignore_startup_parameters = extra_float_digits',
    // Not daemonized, no log file: the log goes to stderr, which the bench keeps for errors.
    'logfile =',
    'pidfile =',
    // One line per login would dominate the log with 1,000 idle connections.
    'log_connections = 0',
    'log_disconnections = 0',
    'log_stats = 0',
  ];
  if (o.runAsUser !== undefined) lines.push(`user = ${check(o.runAsUser, PLAIN, 'run-as user')}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The user list (auth_file): one `"name" "password"` line per user; with auth_type trust the
 * password is not checked, so it is empty.
 */
export function pgbouncerUserlist(users: string[]): string {
  return users.map((u) => `"${check(u, PLAIN, 'user')}" ""\n`).join('');
}
