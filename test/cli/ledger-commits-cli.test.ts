import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gatehouseAsync } from '../support/cli.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { commitsSummary } from '../../src/cli/ledger-commits.js';

/**
 * GET /api/v1/ledger/commits and `gatehouse ledger commits` against the real admin API on
 * loopback, whose ledger commits through the SQLite writer thread.
 */
describe('ledger commit statistics (API and CLI)', () => {
  let api: TestApi;
  let auditor: string;
  let member: string;
  const cli = (args: string[], token = api.adminToken) => gatehouseAsync(args, { GATEHOUSE_URL: api.url, GATEHOUSE_TOKEN: token });

  before(async () => {
    api = await startTestApi('sqlite');
    auditor = await api.principal('audrey', 'auditor');
    member = await api.principal('mel', 'member');
  });
  after(async () => api.close());

  it('the API counts the commits of admin changes, each waited on until durable', async () => {
    const before = (await api.call(auditor, 'GET', '/ledger/commits')).body;
    for (const name of ['ops', 'sales', 'finance']) {
      assert.equal((await api.call(api.adminToken, 'POST', '/groups', { name, description: `the ${name} team` })).status, 201);
    }
    const res = await api.call(auditor, 'GET', '/ledger/commits');
    assert.equal(res.status, 200);
    const s = res.body;
    assert.equal(s.entries - before.entries, 3, 'one admin.group.create entry each');
    assert.equal(s.durable_wait.count - before.durable_wait.count, 3, 'the API waits for each change to be durable');
    assert.ok(s.commits > before.commits);
    assert.equal(s.failed, 0);
    assert.equal(s.entries_per_commit, s.entries / s.commits);
    assert.equal(s.bucket_bounds_ms.length + 1, s.commit.buckets.length);
    assert.ok(s.commit.mean_ms > 0 && s.commit.p99_ms >= s.commit.p50_ms);
    assert.equal((await api.call(member, 'GET', '/ledger/commits')).status, 403);
  });

  it('`serve` sums up the run\'s commits when it stops', () => {
    assert.equal(commitsSummary({ commits: 0, entries: 0, commit: { count: 0, sum_ms: 0 } }), 'nothing appended');
    assert.equal(commitsSummary({ commits: 3456, entries: 12345, commit: { count: 3456, sum_ms: 1423.872 } }), '12,345 entries in 3,456 group commits, mean 0.412 ms to durable');
  });

  it('`gatehouse ledger commits` prints them, or the JSON with --json', async () => {
    const text = await cli(['ledger', 'commits']);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^since:\s+\d{4}-\d\d-\d\dT/);
    assert.match(lines[1]!, /^commits:\s+[\d,]+$/);
    assert.match(lines[2]!, /^entries:\s+[\d,]+ \(\d+\.\d\d per commit\)$/);
    assert.match(lines[3]!, /^commit time:\s+mean \d+\.\d+ ms, p50 ≤ \d+\.\d+ ms, p99 ≤ \d+\.\d+ ms, max \d+\.\d+ ms$/);
    assert.match(lines[4]!, /^store time:\s+mean \d+\.\d+ ms, .* \([\d,]+ transactions, \d+\.\d s in all\)$/);
    assert.match(lines[5]!, /^durable wait:\s+mean .* \([\d,]+ appends waited on\)$/);
    const json = await cli(['ledger', 'commits', '--json'], auditor);
    assert.equal(json.status, 0, json.stderr);
    assert.ok(JSON.parse(json.stdout).commits > 0);
    const refused = await cli(['ledger', 'commits'], member);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^gatehouse: forbidden: members may not show how the ledger group commits have gone since the server started\n$/);
  });
});
