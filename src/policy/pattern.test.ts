import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyInputError } from './errors.js';
import { compilePattern, displayObject, parseObjectPattern, patternMatches } from './pattern.js';

const matches = (pattern: string, schema: string, name: string) => patternMatches(parseObjectPattern(pattern), schema, name);

describe('object patterns: matching', () => {
  const cases: Array<[pattern: string, schema: string, name: string, expected: boolean]> = [
    ['sales.*', 'sales', 'orders', true],
    ['sales.*', 'sales', '', true],
    ['sales.*', 'salesx', 'orders', false],
    ['sales.*', 'Sales', 'orders', false],
    ['sales.*', 'sales.archive', 'orders', false],
    ['*.orders', 'public', 'orders', true],
    ['*.orders', 'sales', 'orders', true],
    ['*.orders', 'public', 'orders_2', false],
    ['*.orders', 'public', 'x.orders', false],
    ['public.order?', 'public', 'orders', true],
    ['public.order?', 'public', 'order', false],
    ['public.order?', 'public', 'orders2', false],
    ['public.order?', 'public', 'order.', true],
    ['public.order?', 'public', 'orderé', true],
    ['public.order?', 'public', 'order😀', true],
    ['*', 'any', 'thing', true],
    ['*', '', '', true],
    ['*.*', 'a.b', 'c.d', true],
    ['**.*', 'x', 'y', true],
    ['a*b*c.t', 'aXbYc', 't', true],
    ['a*b*c.t', 'abc', 't', true],
    ['a*b*c.t', 'acb', 't', false],
    ['*_log.*', 'audit_log', 'x', true],
    ['*_log.*', 'audit_logs', 'x', false],
    ['public.Orders', 'public', 'orders', false],
    ['public.Orders', 'public', 'Orders', true],
    ['"my.schema".orders', 'my.schema', 'orders', true],
    ['"my.schema".orders', 'my', 'schema.orders', false],
    ['public."a.b"', 'public', 'a.b', true],
    ['public."a*"', 'public', 'a*', true],
    ['public."a*"', 'public', 'ab', false],
    ['public."say ""hi"""', 'public', 'say "hi"', true],
  ];
  for (const [pattern, schema, name, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(schema)}.${JSON.stringify(name)}`, () => {
      assert.equal(matches(pattern, schema, name), expected);
    });
  }

  it('* is an alias for *.* and covers everything', () => {
    assert.equal(parseObjectPattern('*').text, '*.*');
    assert.equal(parseObjectPattern('*').coversAll, true);
    assert.equal(parseObjectPattern('**.**').coversAll, true);
    assert.equal(parseObjectPattern('public.*').coversAll, false);
    assert.equal(parseObjectPattern('"*".*').coversAll, false);
  });

  it('regex metacharacters are plain characters', () => {
    assert.equal(matches('a+b.(x|y)', 'a+b', '(x|y)'), true);
    assert.equal(matches('a+b.(x|y)', 'aab', 'x'), false);
    assert.equal(matches('^.$', '^', '$'), true);
    assert.equal(matches('[ab].t', 'a', 't'), false);
  });

  it('stays fast on pathological globs', () => {
    const pattern = `${'*a'.repeat(30)}b.*`;
    const start = process.hrtime.bigint();
    assert.equal(matches(pattern, 'a'.repeat(2000), 't'), false);
    assert.ok(Number(process.hrtime.bigint() - start) / 1e6 < 500);
  });

  it('compiles each text once', () => {
    assert.equal(compilePattern('sales.*'), compilePattern('sales.*'));
  });
});

describe('object patterns: refusals', () => {
  const bad: Array<[pattern: string, message: string]> = [
    ['sales', '"sales" is not a valid object pattern: it has no dot; write schema.table, e.g. sales.* for every table in schema sales'],
    ['', 'an object pattern cannot be empty: write schema.table, e.g. public.orders or sales.*'],
    ['.orders', '".orders" is not a valid object pattern: the schema part before the dot is empty (use * for every schema)'],
    ['sales.', '"sales." is not a valid object pattern: the table part after the dot is empty (use * for every table)'],
    ['db.sales.orders', '"db.sales.orders" is not a valid object pattern: write exactly one schema.table (no database part); quote a name that holds a dot, e.g. "my.schema".orders'],
    ['sales..orders', '"sales..orders" is not a valid object pattern: the table part after the dot is empty (use * for every table)'],
    ['"sales.*', '"\\"sales.*" is not a valid object pattern: a quoted name is not closed'],
    ['sa"les.*', '"sa\\"les.*" is not a valid object pattern: a quote may only open a part (write "name" for a quoted name)'],
    ['"sales"x.*', '"\\"sales\\"x.*" is not a valid object pattern: a quoted name must be followed by a dot or end the pattern'],
    ['"".orders', '"\\"\\".orders" is not a valid object pattern: a quoted name cannot be empty'],
    [' sales.*', '" sales.*" is not a valid object pattern: whitespace and control characters must be inside a quoted name'],
    ['sales.or ders', '"sales.or ders" is not a valid object pattern: whitespace and control characters must be inside a quoted name'],
    ['"a\nb".t', '"\\"a\\nb\\".t" is not a valid object pattern: control characters are not allowed in names'],
    ['"my.schema"', '"\\"my.schema\\"" is not a valid object pattern: it has no dot; write schema.table, e.g. "my.schema".* for every table in schema "my.schema"'],
  ];
  for (const [pattern, message] of bad) {
    it(`refuses ${JSON.stringify(pattern)}`, () => {
      assert.throws(() => parseObjectPattern(pattern), (e: unknown) => e instanceof PolicyInputError && e.message === message);
    });
  }

  it('refuses a non-string', () => {
    assert.throws(() => parseObjectPattern(42 as never), /must be a string/);
  });
});

describe('displayObject', () => {
  it('quotes only parts that need it, in the pattern syntax', () => {
    assert.equal(displayObject('public', 'orders'), 'public.orders');
    assert.equal(displayObject('public', 'Orders'), 'public.Orders');
    assert.equal(displayObject('raw.events', 'clicks'), '"raw.events".clicks');
    assert.equal(displayObject('public', 'say "hi"'), 'public."say ""hi"""');
    assert.equal(displayObject('public', 'a*'), 'public."a*"');
    const shown = displayObject('my.schema', 'a "b".c');
    assert.equal(matches(shown, 'my.schema', 'a "b".c'), true);
  });
});
