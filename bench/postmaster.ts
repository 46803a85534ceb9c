import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { PgTarget } from './pgbench.js';

/** Where a PostgreSQL server's processes are, or why the bench cannot read them. */
export type Postmaster = { pid: number } | { why: string };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** The command name (field 2) and parent (field 4) of /proc/<pid>/stat, proc(5); undefined if unreadable. */
function procStat(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { comm, ppid };
  } catch {
    return undefined;
  }
}

/**
 * The postmaster of the server behind `server`, whose process tree (its backends, the ones
 * already ended included) the pg bench reads the CPU time of per cell: a gateway's latency
 * costs the server CPU too, since each backend then sleeps and is woken once per statement.
 * Found as the parent of this connection's backend (pg_backend_pid()); only for a server on
 * this machine (a loopback address or a socket directory), whose processes /proc shows.
 */
export async function findPostmaster(server: PgTarget): Promise<Postmaster> {
  if (!LOOPBACK.test(server.host) && !server.host.startsWith('/')) return { why: `the server (${server.host}) is not on this machine` };
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: server.database, password: server.password });
  try {
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0]!.pid;
    // Read while the connection is open: the backend ends with it.
    const own = procStat(backend);
    const parent = own && procStat(own.ppid);
    // A backend that /proc does not show as postgres runs elsewhere (a container, another host behind a forwarded port).
    if (own?.comm !== 'postgres' || parent?.comm !== 'postgres') return { why: `its backend (process ${backend}) is not a postgres process this machine's /proc shows` };
    return { pid: own.ppid };
  } catch (error) {
    return { why: `cannot ask the server for its backend's process id: ${(error as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}
