// classify must never throw for input text: every prefix of every case, random text built
// from the characters that matter to the lexer, NUL bytes, and trees deeper than the stack.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../index.js';
import { CASES } from './classify.cases.js';

const check = (text: string, defaultSchema: string | undefined = 'app'): void => {
  const r = classify('mysql', text, { defaultSchema });
  assert.equal(typeof r.ok, 'boolean', text);
  if (r.ok) for (const s of r.statements) assert.ok(s.class && Array.isArray(s.objects), text);
  else assert.equal(typeof r.error, 'string');
};

describe('MySQL classify never throws', () => {
  it('for every prefix of every statement in the table', () => {
    for (const row of CASES) for (let i = 0; i <= row.sql.length; i++) check(row.sql.slice(0, i));
  });

  it('for random text built from SQL fragments', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const parts = ['SELECT', ' * ', 'FROM', ' t', ';', '(', ')', "'", '"', '`', '--', '-- ', '#', '/*', '*/', '/*!', '/*!50000', '/*M!',
      'DELETE', ' ', ',', '\n', 'é', '😀', '\\', '@', '@@', '.', '1', 'SET', 'PREPARE s FROM ', 'USE', 'WITH x AS', '\u0000'];
    for (let n = 0; n < 4000; n++) {
      const text = Array.from({ length: Math.floor(random() * 14) }, () => parts[Math.floor(random() * parts.length)]).join('');
      check(text);
      check(text, undefined);
    }
  });

  it('refuses NUL anywhere, in strings too', () => {
    for (const text of ['SELECT 1\u0000; DROP TABLE t', "SELECT '\u0000'", '\u0000', '/*!\u0000*/']) {
      const r = classify('mysql', text, { defaultSchema: 'app' });
      assert.equal(r.ok, false, JSON.stringify(text));
    }
  });

  it('for deeply nested expressions and subqueries', () => {
    for (const depth of [100, 1000, 10_000]) {
      check(`SELECT ${'('.repeat(depth)}1${')'.repeat(depth)}`);
      check(`SELECT * FROM ${'(SELECT * FROM '.repeat(depth)}t${') s'.repeat(depth)}`);
      check(`PREPARE s FROM '${"PREPARE s FROM ''".repeat(3)}SELECT 1${"''".repeat(3)}'`);
    }
    assert.ok(classify('mysql', 'SELECT * FROM after_deep', { defaultSchema: 'app' }).ok);
  });

  it('for long texts', () => {
    check(`SELECT ${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(', ')} FROM t`);
    check(`${'SELECT 1;'.repeat(2000)}`);
  });
});
