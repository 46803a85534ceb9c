import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../index.js';
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
    ...(expected.kind === undefined ? {} : { kind: s.kind }),
    ...(expected.database === undefined ? {} : { database: s.database }),
  };
}

function wanted(expected: Expect): Record<string, unknown> {
  // Names with spaces: the row separates objects with `|`.
  const objects = expected.objects.includes('|') ? expected.objects.split('|').filter(Boolean) : words(expected.objects);
  return {
    class: expected.class,
    objects: objects.sort(),
    flags: words(expected.flags),
    requires: expected.requires,
    ...(expected.functions === undefined ? {} : { functions: words(expected.functions) }),
    ...(expected.kind === undefined ? {} : { kind: expected.kind }),
    ...(expected.database === undefined ? {} : { database: expected.database }),
  };
}

describe(`MySQL classification table (${CASES.length} rows)`, () => {
  for (const row of CASES) {
    it(row.sql.replace(/\s+/g, ' ').replace(/\u0000/g, '\\0').slice(0, 110), () => {
      const defaultSchema = row.defaultSchema === null ? undefined : row.defaultSchema ?? 'app';
      const result = classify('mysql', row.sql, { defaultSchema });
      if ('error' in row) {
        assert.equal(result.ok, false, `must not classify: ${JSON.stringify(result)}`);
        if (typeof row.error === 'string' && !result.ok) assert.equal(result.error, row.error);
        return;
      }
      assert.ok(result.ok, result.ok ? '' : `error: ${result.error}`);
      assert.equal(result.statements.length, row.expect.length, `statement count: ${JSON.stringify(result.statements)}`);
      result.statements.forEach((s, i) => assert.deepEqual(actual(s, row.expect[i]!), wanted(row.expect[i]!), `statement ${i + 1}`));
    });
  }

  it('has at least 150 rows', () => assert.ok(CASES.length >= 150));
});
