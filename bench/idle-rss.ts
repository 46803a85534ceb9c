import pg from 'pg';
import { BenchError } from './errors.js';
import { readProc } from './proc.js';
import type { PgTarget } from './pgbench.js';

/** A process's resident set size in KiB: the VmRSS line of /proc/<pid>/status (Linux). */
export function readRssKib(pid: number): number {
  const status = readProc(`${pid}/status`);
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new BenchError(`/proc/${pid}/status has no "VmRSS: N kB" line`);
  return Number(m[1]);
}

/**
 * Opens `count` client sessions through `target`, at most `parallel` logins at a time, and
 * runs one `SELECT 1` on each so that every session is proven to reach the upstream. The
 * caller ends them (closeAll). On a failure, the ones opened so far are closed first.
 */
export async function openIdleSessions(
  target: PgTarget,
  count: number,
  parallel: number,
  onProgress?: (opened: number) => void,
): Promise<pg.Client[]> {
  const clients: pg.Client[] = [];
  let next = 0;
  let ready = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const client = new pg.Client({
        host: target.host,
        port: target.port,
        user: target.user,
        database: target.database,
        ...(target.password !== undefined ? { password: target.password } : {}),
        connectionTimeoutMillis: 30_000,
      });
      // An idle session that dies later must not crash the bench with an unhandled 'error'.
      client.on('error', () => {});
      clients.push(client);
      await client.connect();
      await client.query('SELECT 1');
      if (++ready % 100 === 0) onProgress?.(ready);
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } catch (error) {
    await closeAll(clients);
    throw new BenchError(`opening ${count} sessions through ${target.host}:${target.port}/${target.database} failed after ${clients.length}: ${(error as Error).message}`);
  }
  return clients;
}

export async function closeAll(clients: pg.Client[]): Promise<void> {
  await Promise.allSettled(clients.map((c) => c.end()));
}
