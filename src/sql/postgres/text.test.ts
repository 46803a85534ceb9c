import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { classify, initSql } from '../index.js';

const texts = (sql: string): string[] => {
  const r = classify('postgres', sql);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.statements.map((s) => s.text);
};

describe('statement text and kind', () => {
  before(() => initSql());

  it('slices multi-statement strings by UTF-8 byte offsets, trimmed, without the semicolon', () => {
    assert.deepEqual(texts("SELECT 'é€😀'; DELETE FROM \"Ünïcødé\" WHERE x = 'ß';\n  UPDATE t SET a = '日本語'"), [
      "SELECT 'é€😀'",
      'DELETE FROM "Ünïcødé" WHERE x = \'ß\'',
      "UPDATE t SET a = '日本語'",
    ]);
  });

  it('keeps comments and dollar quotes inside the statement they belong to', () => {
    assert.deepEqual(texts('/* first */ SELECT $$;$$; -- trailing\nSELECT 2;'), ['/* first */ SELECT $$;$$', '-- trailing\nSELECT 2']);
  });

  it('names each statement by its parser node type', () => {
    const r = classify('postgres', 'SELECT 1; INSERT INTO t VALUES (1); SET x = 1; PREPARE p AS SELECT 1; EXPLAIN SELECT 1');
    assert.ok(r.ok);
    assert.deepEqual(
      r.statements.map((s) => s.kind),
      ['SelectStmt', 'InsertStmt', 'VariableSetStmt', 'PrepareStmt', 'ExplainStmt'],
    );
  });

  it('reports every statement of a long string', () => {
    const sql = Array.from({ length: 200 }, (_, i) => `SELECT ${i} AS "é${i}"`).join(';');
    const out = texts(sql);
    assert.equal(out.length, 200);
    assert.equal(out[199], 'SELECT 199 AS "é199"');
  });
});
