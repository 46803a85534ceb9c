// classify must never throw for input text: every prefix of real statements, random bytes,
// and trees deeper than the JavaScript stack all come back as values (docs/sql.md).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { classify, initSql } from '../index.js';
import { CASES } from './classify.cases.js';
import { classifyNode } from './statements.js';

describe('classify never throws', () => {
  before(() => initSql());

  it('for every prefix of every statement in the table', () => {
    for (const row of CASES) {
      for (let i = 0; i <= row.sql.length; i++) {
        const r = classify('postgres', row.sql.slice(0, i));
        assert.equal(typeof r.ok, 'boolean');
        if (r.ok) for (const s of r.statements) assert.ok(s.class && Array.isArray(s.objects));
      }
    }
  });

  it('for random text built from SQL fragments', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const parts = ['SELECT', ' * ', 'FROM', ' t', ';', '(', ')', "'", '"', '$$', '--', '/*', '*/', 'WITH x AS', 'DELETE', ' ', ',', '\n', 'é', '😀', '\\', 'E\'', 'U&"', '1'];
    for (let n = 0; n < 3000; n++) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => parts[Math.floor(random() * parts.length)]).join('');
      const r = classify('postgres', text);
      assert.equal(typeof r.ok, 'boolean', text);
    }
  });

  it('for deeply nested expressions and subqueries', () => {
    for (const depth of [1000, 10_000, 100_000]) {
      const expr = `SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}`;
      assert.equal(typeof classify('postgres', expr).ok, 'boolean');
      const sub = `SELECT * FROM ${'(SELECT * FROM '.repeat(depth)}t${') s'.repeat(depth)}`;
      const r = classify('postgres', sub);
      assert.equal(typeof r.ok, 'boolean');
      // If it parsed, the innermost table was found.
      if (r.ok) assert.deepEqual(r.statements[0]!.objects, [{ schema: 'public', name: 't', privilege: 'read' }]);
    }
    // The parser is still usable afterwards.
    assert.ok(classify('postgres', 'SELECT * FROM after_deep').ok);
  });
});

describe('statements the classifier does not know', () => {
  it('are admin, and their relations are still found', () => {
    const r = classifyNode({ FutureStmt: { target: { relname: 'orders', inh: true }, inner: [{ FuncCall: { funcname: [{ String: { sval: 'f' } }] } }] } });
    assert.equal(r.class, 'admin');
    assert.equal(r.requires, 'admin');
    assert.deepEqual(r.objects, [{ schema: 'public', name: 'orders', privilege: 'read' }]);
    assert.deepEqual(r.functions, ['f']);
  });

  it('are admin when the tree is not even a node', () => {
    for (const junk of [null, 42, 'SelectStmt', [], {}, { a: 1, b: 2 }]) {
      const r = classifyNode(junk);
      assert.equal(r.class, 'admin');
      assert.equal(r.requires, 'admin');
    }
  });
});
