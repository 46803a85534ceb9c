import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { isStoreUnavailable } from './errors.js';
import { TEST_PG_URL } from '../../test/support/stores.js';

/** The error `run` throws (it must throw). */
async function errorOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

describe('isStoreUnavailable: errors that mean the store cannot write now, from the real drivers', () => {
  it('SQLite: a read-only database is; a constraint violation is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-store-errors-'));
    try {
      const file = join(dir, 'x.db');
      const db = new BetterSqlite3(file);
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      db.exec('INSERT INTO t VALUES (1)');
      const duplicate = await errorOf(() => db.exec('INSERT INTO t VALUES (1)'));
      assert.equal((duplicate as { code: string }).code, 'SQLITE_CONSTRAINT_PRIMARYKEY');
      assert.equal(isStoreUnavailable(duplicate), false);
      db.close();
      const readonly = new BetterSqlite3(file, { readonly: true });
      const refused = await errorOf(() => readonly.exec('INSERT INTO t VALUES (2)'));
      assert.equal((refused as { code: string }).code, 'SQLITE_READONLY');
      assert.equal(isStoreUnavailable(refused), true);
      assert.equal(isStoreUnavailable(new Error('wrapped', { cause: refused })), true, 'found as a cause too');
      readonly.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: a server out of reach is; a syntax error is not', async () => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      const syntax = await errorOf(() => client.query('SELEC 1'));
      assert.equal((syntax as { code: string }).code, '42601');
      assert.equal(isStoreUnavailable(syntax), false);
      // 57P01 admin_shutdown, as a server that is stopping sends it: raised here by the server itself.
      const shutdown = await errorOf(() => client.query(`DO $$ BEGIN RAISE EXCEPTION 'stopping' USING ERRCODE = '57P01'; END $$`));
      assert.equal(isStoreUnavailable(shutdown), true);
      const full = await errorOf(() => client.query(`DO $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$`));
      assert.equal((full as { code: string }).code, '53100');
      assert.equal(isStoreUnavailable(full), true);
    } finally {
      await client.end();
    }
    const closed = new pg.Client({ host: '127.0.0.1', port: 1, user: 'postgres', database: 'test', connectionTimeoutMillis: 5000 });
    const refused = await errorOf(() => closed.connect());
    assert.equal((refused as { code: string }).code, 'ECONNREFUSED');
    assert.equal(isStoreUnavailable(refused), true);
  });

  it('anything else is not', () => {
    assert.equal(isStoreUnavailable(new Error('a bug')), false);
    assert.equal(isStoreUnavailable('not an error'), false);
    assert.equal(isStoreUnavailable(Object.assign(new Error('x'), { code: 'not_found' })), false);
  });
});
