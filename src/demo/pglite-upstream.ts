import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The demo's upstream database: PGlite (PostgreSQL compiled to WASM, in memory, in this
 * process) behind pglite-socket's TCP server, so the gateway dials it like any PostgreSQL.
 *
 * What the socket server is, as read from its source (0.2.x), and what that means here:
 * - Authentication: none. It forwards the client's StartupMessage to PGlite, which answers
 *   AuthenticationOk for any user name, database name and password. Every session runs as
 *   the superuser `postgres` in the database `postgres`, whatever it asked for. That is why
 *   it listens on loopback only and why the demo connection names `postgres`/`postgres`.
 * - No TLS: an SSLRequest is answered 'N' (so the connection uses tls_mode disable).
 * - Several sessions at once through its multiplexer (`maxConnections`): one PGlite backend
 *   runs one protocol message at a time from a shared queue; while a session is inside a
 *   transaction, only that session's messages run and the others wait until it ends.
 *   A session dropped mid-transaction is rolled back.
 * - Shared session state: all sessions are the one backend, so a SET (search_path,
 *   application_name …), a temporary table or a named prepared statement made by one
 *   session is seen by all, and startup parameters are not applied. The gateway dials one
 *   upstream session per client; the demo's statements do not depend on session state.
 * - CancelRequest is accepted and ignored (PGlite has no backend process to signal).
 * - Beyond `maxConnections` the server writes a plain-text line and closes, which clients
 *   report as a protocol error; the demo allows far more sessions than it needs.
 */
export interface PgliteUpstream {
  host: string;
  port: number;
  /** The names the server reports whatever the client asked for. */
  user: 'postgres';
  database: 'postgres';
  /** PostgreSQL's version string, as `SELECT version()` reports it. */
  version: string;
  /** Stops accepting, closes every client session, then the database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PgliteUpstreamOptions {
  /** Default 127.0.0.1; anything else would serve an unauthenticated superuser. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** SQL run before the first client can connect (the sample schema and rows). */
  init?: string;
  /** Concurrent client sessions the multiplexer takes (default 64). */
  maxConnections?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startPgliteUpstream(options: PgliteUpstreamOptions = {}): Promise<PgliteUpstream> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) {
    throw new Error(`the embedded PGlite upstream takes no password, so it listens on loopback only (got ${host})`);
  }
  const db = await PGlite.create();
  let server: PGLiteSocketServer | undefined;
  try {
    if (options.init) await db.exec(options.init);
    const version = (await db.query<{ version: string }>('SELECT version()')).rows[0]!.version;
    server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: options.maxConnections ?? 64 });
    await server.start();
    const address = server.getServerConn();
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    let stopping: Promise<void> | undefined;
    const running = server;
    return {
      host,
      port,
      user: 'postgres',
      database: 'postgres',
      version,
      stop: () =>
        (stopping ??= (async () => {
          await running.stop();
          // stop() detaches the sessions without waiting for them; one that was inside a
          // transaction rolls it back on a later turn and must still find the database open
          // (else its ROLLBACK rejects with nobody to catch it).
          const deadline = Date.now() + 2000;
          do await new Promise((resolve) => setTimeout(resolve, 10));
          while (db.isInTransaction() && Date.now() < deadline);
          await db.close();
        })()),
    };
  } catch (error) {
    await server?.stop().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
