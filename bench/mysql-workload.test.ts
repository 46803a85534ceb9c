import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientScript, fillStatements, ownRow, Random, START_GATE, TABLE_ROWS, WORKLOAD } from './mysql-workload.js';

const statements = (script: string) => script.split(';\n').filter(Boolean);

describe('mysql bench workloads', () => {
  it('gives the same script for the same seed, another for another seed', () => {
    assert.equal(clientScript('read-write', 2, 8, 20, 1), clientScript('read-write', 2, 8, 20, 1));
    assert.notEqual(clientScript('read-write', 2, 8, 20, 1), clientScript('read-write', 2, 8, 20, 2));
    assert.notEqual(clientScript('point-select', 1, 8, 20, 1), clientScript('point-select', 2, 8, 20, 1), 'each client has its own ids');
  });

  it('starts every script at the gate, then runs whole transactions, one statement a line', () => {
    for (const workload of ['point-select', 'read-write'] as const) {
      const lines = statements(clientScript(workload, 0, 1, 7, 3));
      assert.equal(lines[0], START_GATE);
      assert.equal(lines.length, 1 + 7 * WORKLOAD[workload].statements);
      assert.ok(lines.every((l) => !l.includes('\n')));
    }
    const rw = statements(clientScript('read-write', 0, 1, 2, 3)).slice(1);
    assert.deepEqual(
      rw.slice(0, 9).map((s) => s.split(' ')[0]),
      ['BEGIN', 'SELECT', 'SELECT', 'SELECT', 'SELECT', 'UPDATE', 'DELETE', 'INSERT', 'COMMIT'],
    );
    assert.match(rw[1]!, /^SELECT c FROM sbtest1 WHERE id = \d+$/);
  });

  it('re-inserts the row it deleted, with c and pad of their column widths', () => {
    const rw = statements(clientScript('read-write', 3, 4, 50, 9)).slice(1);
    for (let t = 0; t < 50; t++) {
      const deleted = /WHERE id = (\d+)$/.exec(rw[t * 9 + 6]!)![1];
      const insert = /^INSERT INTO sbtest1 \(id, k, c, pad\) VALUES \((\d+), \d+, '([\d-]+)', '([\d-]+)'\)$/.exec(rw[t * 9 + 7]!)!;
      assert.equal(insert[1], deleted);
      assert.equal(insert[2]!.length, 119);
      assert.equal(insert[3]!.length, 59);
    }
  });

  it('writes only rows of the client\'s own, within the table, and reads any row', () => {
    const random = new Random(5);
    for (const clients of [1, 8, 32]) {
      for (let client = 0; client < clients; client++) {
        for (let i = 0; i < 200; i++) {
          const id = ownRow(random, client, clients);
          assert.ok(id >= 1 && id <= TABLE_ROWS, `id ${id}`);
          assert.equal((id - 1) % clients, client);
        }
      }
    }
    const script = clientScript('read-write', 5, 8, 300, 1);
    for (const m of script.matchAll(/(?:UPDATE|DELETE FROM) sbtest1 .*WHERE id = (\d+)/g)) assert.equal((Number(m[1]) - 1) % 8, 5);
    const read = [...script.matchAll(/SELECT c FROM sbtest1 WHERE id = (\d+)/g)].map((m) => (Number(m[1]) - 1) % 8);
    assert.ok(new Set(read).size === 8, 'reads reach rows of every client');
  });

  it('draws integers evenly below n', () => {
    const random = new Random(42);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[random.below(4)]!++;
    for (const c of counts) assert.ok(c > 9_500 && c < 10_500, String(counts));
  });

  it('fills ids 1…TABLE_ROWS exactly once', () => {
    const ids = fillStatements(5000).flatMap((s) => [...s.matchAll(/\((\d+), \d+, '/g)].map((m) => Number(m[1])));
    assert.equal(ids.length, TABLE_ROWS);
    assert.equal(new Set(ids).size, TABLE_ROWS);
    assert.equal(Math.min(...ids), 1);
    assert.equal(Math.max(...ids), TABLE_ROWS);
  });
});
