import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { gatehouse, gatehouseAsync } from '../support/cli.js';
import { runPsql } from '../support/gateway.js';
import { setUpWriter, startServe, type RunningServe } from '../support/serve.js';
import { TEST_PG_URL } from '../support/stores.js';

/**
 * `gatehouse serve` with its data directory on a small tmpfs that the test fills up: a real
 * full disk under SQLite, the ledger and the control store. Mounting needs root (CI runs as
 * root); without it the suite fails, saying so, as a test whose server is missing does.
 */
const DISK_SIZE = '24m';
const PASSWORD = 'writer-password-1';

function mountSmallDisk(dir: string): void {
  if (process.getuid?.() !== 0) throw new Error('the full-disk tests mount a tmpfs, which needs root');
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_SIZE},mode=0700`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(`the full-disk tests cannot mount a tmpfs: ${mount.stderr.trim() || mount.error?.message}`);
}

/** Writes a file until the disk refuses more (ENOSPC), down to its last 4 KiB page. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10]) {
      const block = Buffer.alloc(size, 0x5a);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether each `db.query` entry of one application's sessions allowed its statement, from the stopped server's SQLite file. */
function statementsInLedger(dataDir: string, application: string): boolean[] {
  const db = new BetterSqlite3(join(dataDir, 'gatehouse.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT entry FROM ledger_entries ORDER BY idx').pluck().all() as Buffer[];
    return rows
      .map((r) => JSON.parse(r.toString('utf8')))
      .filter((e) => e.action === 'db.query' && e.context.application === application)
      .map((e) => e.decision.allow);
  } finally {
    db.close();
  }
}

/** INSERTs numbered from `first` through one session until the gateway refuses one; returns the numbers that ran and the refusal. */
async function insertUntilRefused(client: pg.Client, insert: (n: number) => string, first: number): Promise<{ ran: number[]; refusal: pg.DatabaseError }> {
  const ran: number[] = [];
  // SQLite may first reuse WAL pages it already has; a full disk shows once it needs a new one.
  for (let n = first; n < first + 5000; n++) {
    try {
      await client.query(insert(n));
      ran.push(n);
    } catch (error) {
      return { ran, refusal: error as pg.DatabaseError };
    }
  }
  throw new Error('5,000 statements ran on a full disk: the gateway never refused one');
}

describe('gatehouse serve on a full disk', () => {
  let mountDir: string;
  let dataDir: string;
  let mounted = false;
  let token = '';
  let policySet = false;
  const table = `full_disk_${randomBytes(4).toString('hex')}`;
  const direct = () => new pg.Client({ connectionString: TEST_PG_URL });

  before(async () => {
    mountDir = mkdtempSync(join(tmpdir(), 'gatehouse-full-disk-'));
    mountSmallDisk(mountDir);
    mounted = true;
    dataDir = join(mountDir, 'data');
    mkdirSync(dataDir);
    const admin = direct();
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (n int, mode text, PRIMARY KEY (n, mode))`);
    await admin.end();
  });
  after(async () => {
    if (mounted) {
      // Lazily if something still holds a file there, so that the mount never outlives the test.
      if (spawnSync('umount', [mountDir]).status !== 0) spawnSync('umount', ['-l', mountDir]);
      const admin = direct();
      await admin.connect();
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
    rmSync(mountDir, { recursive: true, force: true });
  });

  test('set up: init on the small disk, a writer with a grant', () => {
    const init = gatehouse(['init', '--data-dir', dataDir]);
    assert.equal(init.status, 0, init.stderr);
    token = /^token: (ghk_\S+)$/m.exec(init.stdout)![1]!;
  });

  const connect = async (serve: RunningServe, application: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port: serve.pgPort, user: 'writer', password: PASSWORD, database: 'main', ssl: false, application_name: application });
    client.on('error', () => undefined); // a test that fails midway stops serve under it
    await client.connect();
    return client;
  };
  const psql = (serve: RunningServe, sql: string) =>
    runPsql(['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-d', `host=127.0.0.1 port=${serve.pgPort} dbname=main user=writer sslmode=disable`, '-c', sql], undefined, { PGPASSWORD: PASSWORD });
  const rowsOf = async (mode: string) => {
    const admin = direct();
    await admin.connect();
    const { rows } = await admin.query(`SELECT n FROM ${table} WHERE mode = $1 ORDER BY n`, [mode]);
    await admin.end();
    return rows.map((r) => r.n as number);
  };
  const filler = () => join(mountDir, 'filler');

  for (const mode of ['strict', 'async'] as const) {
    test(`${mode} mode: statements are refused, not run unrecorded, until the disk has room; then every one that ran is in the ledger`, async () => {
        const serve = await startServe(dataDir, ['--audit-mode', mode]);
      const application = `full-disk-${mode}`;
      const insert = (n: number) => `INSERT INTO ${table} VALUES (${n}, '${mode}')`;
      let ran: number[];
      let code: number | null;
      try {
        if (!policySet) setUpWriter(serve, token, PASSWORD);
        policySet = true;
        const client = await connect(serve, application);
        await client.query(insert(0));

        fillDisk(filler());
        const filled = await insertUntilRefused(client, insert, 1);
        ran = [0, ...filled.ran];
        assert.equal(filled.refusal.code, '58000', filled.refusal.message);
        assert.equal(filled.refusal.message, 'Gatehouse could not record the statement in the audit ledger, so it did not run');
        // The session goes on, and so does the refusal while the disk is full.
        await assert.rejects(client.query(insert(9000)), /could not record the statement in the audit ledger/);
        const login = await psql(serve, 'SELECT 1');
        assert.notEqual(login.code, 0);
        assert.match(login.stderr, /FATAL: {2}Gatehouse cannot start sessions now \(its store or audit ledger is unavailable\); try again later/);
        const api = { GATEHOUSE_URL: serve.api, GATEHOUSE_TOKEN: token };
        const change = gatehouse(['groups', 'create', `late-${mode}`, '--description', 'made while the disk is full'], '', api);
        assert.notEqual(change.status, 0);
        assert.match(change.stderr, /unavailable: database or disk is full|cannot record this change/);
        // Reading still works, and says why; the public probe says only that it cannot serve.
        const commits = gatehouse(['ledger', 'commits'], '', api);
        assert.equal(commits.status, 0, commits.stderr);
        assert.match(commits.stdout, /\nfailing: +since \S+: database or disk is full\n/);
        const health = await fetch(`${serve.api}/api/v1/health`);
        assert.equal(health.status, 503);
        assert.deepEqual(Object.keys((await health.json()) as object), ['status', 'reason', 'since', 'ledger_size']);

        unlinkSync(filler());
        const next = 10_000;
        await client.query(insert(next));
        ran.push(next);
        assert.equal((await fetch(`${serve.api}/api/v1/health`)).status, 200);
        assert.equal((await psql(serve, `SELECT count(*) FROM ${table} WHERE mode = '${mode}'`)).stdout.trim(), String(ran.length));
        await client.end();
      } finally {
        try {
          unlinkSync(filler());
        } catch {
          // already freed
        }
        code = await serve.stop();
      }
      assert.equal(code, 0, serve.err());
      const log = serve.err();
      assert.match(log, /warning: the ledger could not commit: database or disk is full/);
      assert.match(log, /"level":"error","event":"login_error","client":"127\.0\.0\.1:\d+","error":"[^"]+"/);
      assert.match(log, /gatehouse: the ledger commits again after \d+\.\d s of failed commits; \d+ kept entries written/);

      assert.deepEqual(await rowsOf(mode), ran.sort((a, b) => a - b), 'what ran upstream: none of the refused statements');
      const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
      assert.deepEqual(statementsInLedger(dataDir, application), ran.map(() => true), 'one allowed db.query entry per statement that ran, none for the refused');
    });
  }

  test('a store that cannot be created on a full disk: one clear line, and exit 2', async () => {
    fillDisk(filler());
    try {
      // A new store needs new pages (a used one may go on for a while in the pages it has).
      const init = await gatehouseAsync(['init', '--data-dir', join(mountDir, 'fresh')]);
      assert.equal(init.status, 2, init.stdout + init.stderr);
      assert.match(init.stderr, /^gatehouse: the store is unavailable: (database or disk is full|disk I\/O error) \(free some space or start the database, then try again\)\n$/);
    } finally {
      unlinkSync(filler());
    }
  });

  test('SIGTERM while the disk is still full: serve gives up what it cannot write, says so and exits with an error; the ledger still verifies', async () => {
    const serve = await startServe(dataDir, ['--audit-mode', 'async']);
    let code: number | null;
    try {
      const client = await connect(serve, 'full-disk-stop');
      fillDisk(filler());
      const filled = await insertUntilRefused(client, (n) => `INSERT INTO ${table} VALUES (${n}, 'stop')`, 1);
      assert.equal(filled.refusal.code, '58000');
      code = await serve.stop();
    } finally {
      try {
        unlinkSync(filler());
      } catch {
        // already freed
      }
      await serve.stop();
    }
    assert.equal(code, 2, serve.err());
    assert.match(serve.err(), /gatehouse: the final checkpoint could not be stored: database or disk is full\n/);
    const verify = gatehouse(['ledger', 'verify', '--data-dir', dataDir]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });
});
