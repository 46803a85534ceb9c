import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { classify, initSql } from '../index.js';
import type { ClassifiedStatement } from '../types.js';
import { CASES, type Expect } from './classify.cases.js';

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean).sort();

function actual(s: ClassifiedStatement, expected: Expect): Record<string, unknown> {
  return {
    class: s.class,
    objects: s.objects.map((o) => `${o.schema}.${o.name}:${o.privilege}`).sort(),
    flags: [...s.flags].sort(),
    requires: s.requires,
    ...(expected.functions === undefined ? {} : { functions: [...s.functions].sort() }),
  };
}

function wanted(expected: Expect): Record<string, unknown> {
  return {
    class: expected.class,
    objects: words(expected.objects),
    flags: words(expected.flags),
    requires: expected.requires,
    ...(expected.functions === undefined ? {} : { functions: words(expected.functions) }),
  };
}

describe(`PostgreSQL classification table (${CASES.length} rows)`, () => {
  before(() => initSql());

  for (const row of CASES) {
    it(row.sql.replace(/\s+/g, ' ').replace(/\u0000/g, '\\0').slice(0, 110), () => {
      const result = classify('postgres', row.sql);
      if ('error' in row) {
        assert.equal(result.ok, false, 'must not parse');
        return;
      }
      assert.ok(result.ok, result.ok ? '' : `parse error: ${result.error}`);
      assert.equal(result.statements.length, row.expect.length, 'statement count');
      result.statements.forEach((s, i) => assert.deepEqual(actual(s, row.expect[i]!), wanted(row.expect[i]!), `statement ${i + 1}`));
    });
  }

  it('has at least 200 rows', () => assert.ok(CASES.length >= 200));
});
