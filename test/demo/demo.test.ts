import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, gatehouse } from '../support/cli.js';
import { openStore } from '../../src/store/index.js';
import { ledgerRepo } from '../../src/ledger/index.js';
import { DEMO_STATEMENTS } from '../../src/demo/seed.js';

const FREE_PORTS = ['--pg-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'];
/** Seeded identities and policy: 4 users, 3 groups, 3 memberships, 1 connection, 3 grants, 1 rule, 2 tokens. */
const SEED_ENTRIES = 17;

interface Event {
  action: string;
  actor: { name?: string };
  decision?: { allow: boolean; code?: string };
  target?: { name?: string };
  outcome?: Record<string, unknown>;
}

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

/** The real psql, as a user pastes the demo's command (no password prompt, no psqlrc). */
function psql(url: string, sql: string) {
  const r = spawnSync('psql', [url, '-X', '-v', 'VERBOSITY=verbose', '-c', sql], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The ledger's events from `from` on, read straight from the stopped demo's store. */
async function eventsOf(dataDir: string, from: number): Promise<Event[]> {
  const store = await openStore({ kind: 'sqlite', dataDir });
  try {
    return (await ledgerRepo(store).entries(from, 10_000)).map((r) => JSON.parse(r.entry.toString('utf8')) as Event);
  } finally {
    await store.close();
  }
}

const field = (text: string, re: RegExp, what: string) => re.exec(text)?.[1] ?? assert.fail(`no ${what} in:\n${text}`);
const queries = (events: Event[], user: string) => events.filter((e) => e.action === 'db.query' && e.actor.name === user);

describe('gatehouse demo', () => {
  let home: string;
  before(() => {
    home = mkdtempSync(join(tmpdir(), 'gatehouse-demo-test-'));
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  it('--exit-after-setup: sets up, runs the allowed and the denied example through the gateway, stops with a checkpoint that verifies', async () => {
    const dataDir = join(home, 'once');
    // A real deployment's store in the environment must not receive the demo's users.
    const result = await run(['demo', '--exit-after-setup', '--data-dir', dataDir, ...FREE_PORTS], {
      GATEHOUSE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never',
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stderr, /ignoring GATEHOUSE_DATABASE_URL/);
    const out = result.stdout;
    assert.ok(out.includes(`store       SQLite in ${dataDir}`), out);
    assert.match(out, /upstream {4}PGlite \(PostgreSQL \d+\.\d+ in WebAssembly, in memory\) on 127\.0\.0\.1:\d+,/);
    assert.match(out, /the connection "shop" \(tags env=demo\)/);
    assert.match(out, /gateway {5}PostgreSQL protocol on 127\.0\.0\.1:\d+ /);
    assert.match(out, /admin API {3}http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
    assert.match(out, /^ {2}psql "postgres:\/\/alice:demo-[\w-]{12}@127\.0\.0\.1:\d+\/shop"$/m);
    assert.match(out, /^ {2}psql "postgres:\/\/bob:demo-[\w-]{12}@127\.0\.0\.1:\d+\/shop"$/m);
    assert.match(out, /^ {2}export GATEHOUSE_TOKEN=ghk_\S+$/m);
    assert.match(out, new RegExp(`ledger {6}${SEED_ENTRIES} entries so far`));

    // The examples, as the demo ran them through the gateway with the pg driver.
    assert.ok(out.includes(`allowed: ${DEMO_STATEMENTS.allowed}\n  -> 5 rows\n  Ada Moreau | ada.moreau0@example.com\n`), out);
    assert.ok(out.includes(`denied: ${DEMO_STATEMENTS.denied}\n  -> ERROR 42501: write on sales.customers is not granted to alice\n`), out);
    const size = Number(field(out, /stopped; the ledger holds (\d+) entries\nfinal checkpoint \(size (?:\d+)\):/, 'final checkpoint'));
    assert.match(out, new RegExp(`final checkpoint \\(size ${size}\\):`));

    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`entries: ${size}\\n`));
    // The gateway recorded the login and both decisions after the seed.
    const events = await eventsOf(dataDir, SEED_ENTRIES);
    assert.ok(events.some((e) => e.action === 'auth.login' && e.actor.name === 'alice' && e.target?.name === 'shop'));
    assert.deepEqual(queries(events, 'alice').map((e) => [e.decision?.allow, e.decision?.code]), [[true, undefined], [false, 'missing_privilege']]);
  });

  it('runs until SIGTERM: real psql through the gateway, the admin API, then a clean stop and a ledger that verifies', async () => {
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
      const alice = field(stdout, /^ {2}psql "(postgres:\/\/alice:[^"]+)"$/m, 'psql command for alice');
      const bob = field(stdout, /^ {2}psql "(postgres:\/\/bob:[^"]+)"$/m, 'psql command for bob');
      const carol = field(stdout, /^ {2}psql "(postgres:\/\/carol:[^"]+)" -c/m, 'psql command for carol');

      // The printed commands, pasted as they are.
      const allowed = psql(alice, DEMO_STATEMENTS.allowed);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.match(allowed.stdout, /^ Ada Moreau +\| ada\.moreau0@example\.com/m);
      assert.match(allowed.stdout, /\(5 rows\)/);
      const denied = psql(alice, DEMO_STATEMENTS.denied);
      assert.equal(denied.status, 1);
      assert.match(denied.stderr, /ERROR: {2}42501: write on sales\.customers is not granted to alice/);
      const written = psql(bob, "UPDATE staging.customer_import SET status = 'merged' WHERE id = 2");
      assert.equal(written.status, 0, written.stderr);
      assert.match(written.stdout, /^UPDATE 1$/m);
      const dropped = psql(bob, 'DROP TABLE staging.price_changes');
      assert.match(dropped.stderr, /ERROR: {2}42501: denied by rule demo-no-drop-truncate/);
      assert.equal(psql(bob, 'SELECT count(*) FROM staging.price_changes').status, 0, 'the table is still there');
      const auditor = psql(carol, 'SELECT count(*) FROM sales.customers');
      assert.match(auditor.stderr, /ERROR: {2}42501: read on sales\.customers is not granted to carol/);
      const salaries = psql(alice, 'SELECT salary FROM hr.employees');
      assert.match(salaries.stderr, /ERROR: {2}42501: read on hr\.employees is not granted to alice/);

      // The admin API with the printed tokens.
      const url = field(stdout, /^ {2}admin API {3}(\S+) /m, 'API URL');
      const token = field(stdout, /^ {2}export GATEHOUSE_TOKEN=(\S+)$/m, 'admin token');
      const auditorToken = field(stdout, /carol's token \(auditor: read-only\): (\S+)/, 'auditor token');
      const get = (path: string, bearer: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
      const users = (await (await get('/users', token)).json()) as { items?: { name: string }[] } | { name: string }[];
      const names = (Array.isArray(users) ? users : users.items ?? []).map((u) => u.name).sort();
      assert.deepEqual(names, ['admin', 'alice', 'bob', 'carol']);
      const connection = (await (await get('/connections/shop', auditorToken)).json()) as { port: number; tags: Record<string, string> };
      assert.match(stdout, new RegExp(`on 127\\.0\\.0\\.1:${connection.port},`), 'the connection points at the upstream the demo started');

      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /SIGTERM: stopping the gateway, the admin API and PGlite, then signing the final checkpoint/);
      assert.match(stdout, /stopped; the ledger holds \d+ entries\nfinal checkpoint \(size \d+\):/);
    } finally {
      child.kill('SIGKILL');
    }
    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const size = Number(field(verify.stdout, /entries: (\d+)/, 'entries'));
    assert.equal(size, Number(field(stdout, /stopped; the ledger holds (\d+) entries/, 'size')), 'the final checkpoint covers everything');
    const events = await eventsOf(dataDir, SEED_ENTRIES);
    const decisions = (user: string) => queries(events, user).map((e) => e.decision?.code ?? 'allowed');
    assert.deepEqual(decisions('alice'), ['allowed', 'missing_privilege', 'object_not_covered']);
    assert.deepEqual(decisions('bob'), ['allowed', 'deny_rule', 'allowed']);
    assert.deepEqual(decisions('carol'), ['no_grant']);

    // Again on the kept state: the seed is kept, the connection re-pointed, credentials renewed.
    const again = await run(['demo', '--exit-after-setup', '--data-dir', dataDir, ...FREE_PORTS]);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    const renewed = (await eventsOf(dataDir, size)).filter((e) => e.action.startsWith('admin.')).map((e) => e.action);
    assert.deepEqual(renewed.sort(), [
      'admin.connection.update',
      'admin.token.create',
      'admin.token.create',
      'admin.token.revoke',
      'admin.token.revoke',
      'admin.user.update',
      'admin.user.update',
    ]);
    const reverify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(reverify.status, 0, reverify.stdout + reverify.stderr);
  });

  it('refuses a gateway port the user named when it is taken, and stops what it started', async () => {
    const first = spawn(process.execPath, [CLI, 'demo', '--data-dir', join(home, 'holder'), ...FREE_PORTS], { env: process.env });
    let out = '';
    const exited = new Promise<number | null>((resolve) => first.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        first.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Press Ctrl-C to stop.')) resolve();
        });
        first.on('close', () => reject(new Error(out)));
      });
      const port = field(out, /gateway {5}PostgreSQL protocol on 127\.0\.0\.1:(\d+)/, 'gateway port');
      const second = await run(['demo', '--exit-after-setup', '--data-dir', join(home, 'second'), '--pg-listen', `127.0.0.1:${port}`, '--http-listen', '127.0.0.1:0']);
      assert.equal(second.status, 2);
      assert.match(second.stderr, /EADDRINUSE/);
      first.kill('SIGINT');
      assert.equal(await exited, 0);
    } finally {
      first.kill('SIGKILL');
    }
  });
});
