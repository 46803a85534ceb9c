import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CACHE_LIMITS, classify, clearSqlCache, initSql, sqlCacheStats } from './index.js';

describe('classify', () => {
  before(() => initSql());

  it('initSql can be awaited again', async () => {
    await initSql();
    await Promise.all([initSql(), initSql()]);
  });

  it('answers a repeated statement from the cache, with the same frozen result', () => {
    clearSqlCache();
    const text = 'SELECT * FROM cache_probe WHERE id = 1';
    const first = classify('postgres', text);
    const before = sqlCacheStats('postgres');
    const second = classify('postgres', text);
    const after = sqlCacheStats('postgres');
    assert.equal(second, first);
    assert.equal(after.hits, before.hits + 1);
    assert.equal(after.size, 1);
    assert.ok(Object.isFrozen(first));
    assert.ok(first.ok);
    // A caller cannot change what the next caller is told.
    assert.throws(() => (first.statements[0]!.objects as unknown[]).push({}), TypeError);
    assert.throws(() => {
      (first.statements[0] as { class: string }).class = 'read';
    }, TypeError);
  });

  it('keeps the cache bounded', () => {
    clearSqlCache();
    const n = CACHE_LIMITS.maxEntries + 50;
    for (let i = 0; i < n; i++) classify('postgres', `SELECT ${i}`);
    assert.equal(sqlCacheStats('postgres').size, CACHE_LIMITS.maxEntries);
    const { hits } = sqlCacheStats('postgres');
    classify('postgres', 'SELECT 0'); // evicted long ago: parsed again
    assert.equal(sqlCacheStats('postgres').hits, hits);
    classify('postgres', `SELECT ${n - 1}`);
    assert.equal(sqlCacheStats('postgres').hits, hits + 1);
  });

  it('caches parse errors too', () => {
    clearSqlCache();
    const a = classify('postgres', 'SELEC 1');
    assert.equal(classify('postgres', 'SELEC 1'), a);
    assert.deepEqual(a, { ok: false, error: 'syntax error at or near "SELEC"', position: 1 });
  });

  it('reports the error position 1-based in characters, as PostgreSQL does', () => {
    const r = classify('postgres', "SELECT 'é€😀' FRM t");
    assert.equal(r.ok, false);
    // 'é€😀' is 5 characters; the error is at "t", character 18 (PostgreSQL counts code points).
    assert.equal(!r.ok && r.position, 18);
  });

  it('returns zero statements for empty input, whitespace and comments', () => {
    for (const text of ['', '   ', '\n\t', ';', ' ; ; ', '-- nothing', '/* nothing */']) {
      assert.deepEqual(classify('postgres', text), { ok: true, statements: [] }, JSON.stringify(text));
    }
  });

  it('refuses text with a NUL character, which would hide the rest from the parser', () => {
    const r = classify('postgres', 'SELECT 1\u0000; DROP TABLE orders');
    assert.deepEqual(r, { ok: false, error: 'the statement text contains a NUL character', position: 9 });
  });

  it('classifies MySQL, keyed by default schema and text', () => {
    clearSqlCache();
    const text = 'SELECT * FROM orders';
    assert.deepEqual(classify('mysql', text), { ok: false, error: 'no database selected' });
    const a = classify('mysql', text, { defaultSchema: 'shop' });
    const b = classify('mysql', text, { defaultSchema: 'crm' });
    assert.ok(a.ok && b.ok);
    assert.deepEqual(a.statements[0]!.objects, [{ schema: 'shop', name: 'orders', privilege: 'read' }]);
    assert.deepEqual(b.statements[0]!.objects, [{ schema: 'crm', name: 'orders', privilege: 'read' }]);
    // A hit is the same frozen object.
    assert.equal(classify('mysql', text, { defaultSchema: 'shop' }), a);
    assert.equal(sqlCacheStats('mysql').size, 3);
    // PostgreSQL ignores the option.
    assert.deepEqual(classify('postgres', text, { defaultSchema: 'shop' }), classify('postgres', text));
  });

  it('refuses an unknown engine', () => {
    const r = classify('oracle' as never, 'SELECT 1');
    assert.equal(r.ok, false);
  });
});
