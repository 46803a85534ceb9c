import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { pgTargetFromUrl } from '../../bench/pgbench.js';
import { findPgbouncer, INSTALL_PGBOUNCER, startPgbouncer, type RunningPgbouncer } from '../../bench/pgbouncer.js';
import type { PoolMode } from '../../bench/pgbouncer-config.js';
import { TEST_PG_URL } from '../support/stores.js';

/**
 * The written configuration, run by the real PgBouncer: it must start, route the alias to the
 * server, and pool in the mode asked for. Two clients connected at once share one server
 * connection only in transaction mode.
 */
describe('pgbouncer with the bench configuration (real PgBouncer, real PostgreSQL)', () => {
  const server = pgTargetFromUrl(TEST_PG_URL);
  const binary = findPgbouncer() ?? assert.fail(`pgbouncer not found; install it (${INSTALL_PGBOUNCER})`);
  const running: RunningPgbouncer[] = [];
  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  async function backendPids(mode: PoolMode): Promise<number[]> {
    const bouncer = await startPgbouncer(binary, {
      listenHost: '127.0.0.1',
      serverHost: server.host,
      serverPort: server.port,
      alias: 'bench_alias',
      database: server.database,
      serverUser: server.user,
      poolMode: mode,
      maxClientConn: 10,
      defaultPoolSize: mode === 'transaction' ? 1 : 4,
      users: [server.user],
    });
    running.push(bouncer);
    const clients = [0, 1].map(() => new pg.Client({ host: bouncer.host, port: bouncer.port, user: server.user, database: 'bench_alias' }));
    try {
      for (const c of clients) await c.connect();
      const pids: number[] = [];
      for (const c of clients) {
        const { rows } = await c.query<{ pid: number; db: string }>('SELECT pg_backend_pid() AS pid, current_database() AS db');
        assert.equal(rows[0]!.db, server.database);
        pids.push(rows[0]!.pid);
      }
      return pids;
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await bouncer.stop();
    }
  }

  it('session mode: each client holds its own server connection', async () => {
    const [a, b] = await backendPids('session');
    assert.notEqual(a, b);
  });

  // In session mode a pool of one would make the second client wait for ever: the timeout turns that into a failure.
  it('transaction mode: idle clients share a server connection', { timeout: 20_000 }, async () => {
    const [a, b] = await backendPids('transaction');
    assert.equal(a, b);
  });
});
