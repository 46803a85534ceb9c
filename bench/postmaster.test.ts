import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import pg from 'pg';
import { benchPgServer } from './pgbench.js';
import { findPostmaster } from './postmaster.js';
import { processTreeCpuMicros } from './process-cpu.js';

describe("the PostgreSQL server's processes, for the pg bench's CPU figures", () => {
  it("finds this machine's server's postmaster, whose process tree holds the CPU its backends spend", async () => {
    const server = benchPgServer();
    const found = await findPostmaster(server);
    assert.ok('pid' in found, `no postmaster: ${'why' in found ? found.why : ''}`);
    assert.match(readFileSync(`/proc/${found.pid}/stat`, 'utf8'), /^\d+ \(postgres\) /);
    const client = new pg.Client({ ...server });
    await client.connect();
    try {
      const before = processTreeCpuMicros(found.pid);
      const started = performance.now();
      await client.query('SELECT count(*) FROM generate_series(1, 3000000)');
      const wallUs = (performance.now() - started) * 1000;
      const spent = processTreeCpuMicros(found.pid) - before;
      // The backend works for (nearly) all of the query's wall time; other clients of the
      // machine's server may add some. /proc counts in 10 ms ticks.
      assert.ok(spent >= wallUs * 0.5 - 10_000, `the query took ${Math.round(wallUs)} µs, the server's tree counted ${spent} µs`);
    } finally {
      await client.end();
    }
  });

  it('says why when the server is not on this machine, or does not answer', async () => {
    const remote = await findPostmaster({ ...benchPgServer(), host: '192.0.2.1' });
    assert.deepEqual(remote, { why: 'the server (192.0.2.1) is not on this machine' });
    const closed = await findPostmaster({ ...benchPgServer(), port: 1 });
    assert.ok('why' in closed && /cannot ask the server for its backend's process id: .*ECONNREFUSED/.test(closed.why), JSON.stringify(closed));
  });
});
