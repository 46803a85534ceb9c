import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, gatehouse } from '../support/cli.js';

const FREE_PORTS = ['--pg-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'];
/** Seeded identities and policy: 4 users, 3 groups, 3 memberships, 1 connection, 3 grants, 1 rule, 2 tokens. */
const SEED_ENTRIES = 17;

/** Runs the built CLI to its end, without blocking the event loop (a demo takes seconds). */
function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const field = (text: string, re: RegExp, what: string) => re.exec(text)?.[1] ?? assert.fail(`no ${what} in:\n${text}`);

describe('gatehouse demo', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'gatehouse-demo-test-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('--exit-after-setup: sets up store, upstream, seed and API, stops with a final checkpoint the verifier accepts', async () => {
    const dataDir = join(home, 'once');
    // A real deployment's store in the environment must not receive the demo's users.
    const result = await run(['demo', '--exit-after-setup', '--data-dir', dataDir, ...FREE_PORTS], {
      GATEHOUSE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /ignoring GATEHOUSE_DATABASE_URL/);
    const out = result.stdout;
    assert.ok(out.includes(`store       SQLite in ${dataDir}`), out);
    assert.match(out, /upstream {4}PGlite \(PostgreSQL \d+\.\d+ in WebAssembly, in memory\) on 127\.0\.0\.1:\d+,/);
    assert.match(out, /the connection "shop" \(tags env=demo\)/);
    assert.match(out, /admin API {3}http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    assert.match(out, /^ {2}export GATEHOUSE_TOKEN=ghk_\S+$/m);
    assert.match(out, /carol's token \(auditor: read-only\): ghk_\S+/);
    assert.match(out, new RegExp(`ledger {6}${SEED_ENTRIES} entries so far`));
    assert.match(out, new RegExp(`stopped; the ledger holds ${SEED_ENTRIES} entries\\nfinal checkpoint \\(size ${SEED_ENTRIES}\\):`));
    assert.ok(out.includes(`ledger verify --data-dir ${dataDir}`));

    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`entries: ${SEED_ENTRIES}\\n`));
  });

  it('runs until SIGTERM with the admin API serving the seed, then stops cleanly (exit 0, final checkpoint)', async () => {
    const dataDir = join(home, 'kept');
    const child: ChildProcess = spawn(process.execPath, [CLI, 'demo', '--data-dir', dataDir, ...FREE_PORTS], { env: process.env });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          stdout += d;
          if (stdout.includes('Press Ctrl-C to stop.')) resolve();
        });
        child.on('close', () => reject(new Error(`the demo ended before it was ready:\n${stdout}\n${stderr}`)));
      });
      const url = field(stdout, /^ {2}admin API {3}(\S+) /m, 'API URL');
      const token = field(stdout, /^ {2}export GATEHOUSE_TOKEN=(\S+)$/m, 'admin token');
      const auditor = field(stdout, /carol's token \(auditor: read-only\): (\S+)/, 'auditor token');
      const get = (path: string, bearer: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

      const users = (await (await get('/users', token)).json()) as { items?: { name: string }[] } | { name: string }[];
      const names = (Array.isArray(users) ? users : users.items ?? []).map((u) => u.name).sort();
      assert.deepEqual(names, ['admin', 'alice', 'bob', 'carol']);
      const connection = (await (await get('/connections/shop', auditor)).json()) as { host: string; port: number; tags: Record<string, string> };
      assert.equal(connection.host, '127.0.0.1');
      assert.match(stdout, new RegExp(`on 127\\.0\\.0\\.1:${connection.port},`), 'the connection points at the upstream the demo started');
      assert.deepEqual(connection.tags, { env: 'demo' });

      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /SIGTERM: stopping the gateway, the admin API and PGlite, then signing the final checkpoint/);
      assert.match(stdout, /stopped; the ledger holds \d+ entries\nfinal checkpoint \(size \d+\):/);
    } finally {
      child.kill('SIGKILL');
    }
    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);

    // Again on the kept state: the seed is kept, the connection re-pointed, credentials renewed.
    const again = await run(['demo', '--exit-after-setup', '--data-dir', dataDir, ...FREE_PORTS]);
    assert.equal(again.status, 0, again.stderr);
    const size = Number(field(again.stdout, /stopped; the ledger holds (\d+) entries/, 'ledger size'));
    const before = Number(field(verify.stdout, /entries: (\d+)/, 'entries'));
    // connection update, two password changes, two old tokens revoked, two new tokens
    assert.equal(size, before + 7);
    const reverify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(reverify.status, 0, reverify.stdout + reverify.stderr);
  });
});
