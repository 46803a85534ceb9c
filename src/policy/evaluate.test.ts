import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Classification } from '../sql/types.js';
import { evaluate } from './index.js';
import type { DenialCode, PolicyConnection, PolicyPrincipal } from './types.js';
import { connections as c, denyRules, grants, input, NOW, ok, principals as p, stmt } from './world.fixture.js';

type Expect = { allow: string[] } | { code: DenialCode; message: string; statement: number | null };
interface Row {
  name: string;
  who: PolicyPrincipal;
  on: PolicyConnection;
  sql: Classification;
  expect: Expect;
}

const select = (...objects: string[]) => stmt('read', objects.map((o) => `read ${o}`));
const begin = stmt('transaction');
const commit = stmt('transaction');
const selectOne = stmt('read');
const update = (object: string) => stmt('write', [`write ${object}`]);
const deleteAll = (object: string) => stmt('write', [`write ${object}`], { flags: ['no_where'] });
const catalog = (...objects: string[]) => stmt('read', objects.map((o) => `read ${o}`), { flags: ['system_catalog'] });

const rows: Row[] = [
  // Grants by tag and by name, globs.
  { name: 'tag grant: sales.* covers sales.customers', who: p.alice, on: c.prod, sql: ok(select('sales.customers')), expect: { allow: ['gr-an-sales'] } },
  { name: 'name grant: public.order? covers public.orders', who: p.alice, on: c.prod, sql: ok(select('public.orders')), expect: { allow: ['gr-an-orders'] } },
  { name: 'two grants contribute to one statement', who: p.alice, on: c.prod, sql: ok(select('sales.customers', 'public.orders')), expect: { allow: ['gr-an-orders', 'gr-an-sales'] } },
  { name: 'two grants meet the same need: both credited', who: p.dora, on: c.prod, sql: ok(select('sales.customers')), expect: { allow: ['gr-an-sales', 'gr-dba-prod'] } },
  { name: '? needs exactly one character (too short)', who: p.alice, on: c.prod, sql: ok(select('public.order')),
    expect: { code: 'object_not_covered', message: 'read on public.order is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: '? needs exactly one character (too long)', who: p.alice, on: c.prod, sql: ok(select('public.orders_2')),
    expect: { code: 'object_not_covered', message: 'read on public.orders_2 is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'sales.* does not reach schema salesx', who: p.alice, on: c.prod, sql: ok(select('salesx.customers')),
    expect: { code: 'object_not_covered', message: 'read on salesx.customers is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'tag grant reaches a connection with more tags', who: p.alice, on: c.analytics, sql: ok(select('sales.daily')), expect: { allow: ['gr-an-sales'] } },
  { name: '*.orders covers any schema', who: p.alice, on: c.staging, sql: ok(update('sales.orders')), expect: { allow: ['gr-an-staging-write'] } },
  { name: '*.orders covers public.orders', who: p.alice, on: c.staging, sql: ok(update('public.orders')), expect: { allow: ['gr-an-staging-write'] } },
  { name: '*.orders does not cover public.orders_archive', who: p.alice, on: c.staging, sql: ok(update('public.orders_archive')),
    expect: { code: 'object_not_covered', message: 'write on public.orders_archive is not granted to alice: their grants with write cover *.orders', statement: 0 } },
  { name: 'write does not imply read', who: p.alice, on: c.staging, sql: ok(select('public.orders')),
    expect: { code: 'missing_privilege', message: 'read on public.orders is not granted to alice', statement: 0 } },

  // Expiry of grants and memberships.
  { name: 'expired membership would have allowed it', who: p.alice, on: c.prod, sql: ok(update('public.orders')),
    expect: { code: 'grant_expired', message: 'write on public.orders was granted to alice until 2026-02-01T00:00:00Z (expired)', statement: 0 } },
  { name: 'expired grant would have allowed it (beats missing_privilege)', who: p.bob, on: c.prod, sql: ok(update('public.orders')),
    expect: { code: 'grant_expired', message: 'write on public.orders was granted to bob until 2026-01-01T00:00:00Z (expired)', statement: 0 } },
  { name: 'expired grant that would not have covered it is not mentioned', who: p.bob, on: c.prod, sql: ok(update('sales.orders')),
    expect: { code: 'missing_privilege', message: 'write on sales.orders is not granted to bob', statement: 0 } },
  { name: 'grant expiring exactly now has expired (beats object_not_covered)', who: p.bob, on: c.analytics, sql: ok(select('metrics.daily')),
    expect: { code: 'grant_expired', message: 'read on metrics.daily was granted to bob until 2026-03-01T12:00:00Z (expired)', statement: 0 } },
  { name: 'only membership expired: reach is grant_expired', who: p.ivan, on: c.staging, sql: ok(selectOne),
    expect: { code: 'grant_expired', message: 'access to orders-staging was granted to ivan until 2026-02-20T00:00:00Z (expired)', statement: 0 } },
  { name: 'only membership expired: object need is grant_expired', who: p.ivan, on: c.staging, sql: ok(select('public.orders')),
    expect: { code: 'grant_expired', message: 'read on public.orders was granted to ivan until 2026-02-20T00:00:00Z (expired)', statement: 0 } },
  { name: 'expired membership elsewhere: no_grant here', who: p.ivan, on: c.prod, sql: ok(selectOne),
    expect: { code: 'no_grant', message: 'access to orders-prod is not granted to ivan', statement: 0 } },

  // Case sensitivity.
  { name: 'patterns are case-sensitive: Reports.* misses folded reports', who: p.bob, on: c.analytics, sql: ok(select('reports.daily')),
    expect: { code: 'object_not_covered', message: 'read on reports.daily is not granted to bob: their grants with read cover Reports.*', statement: 0 } },
  { name: 'patterns are case-sensitive: Reports.* covers quoted Reports', who: p.bob, on: c.analytics, sql: ok(select('Reports.daily')), expect: { allow: ['gr-eng-reports'] } },
  { name: 'connection names are case-sensitive', who: p.etl, on: c.staging, sql: ok(begin),
    expect: { code: 'no_grant', message: 'access to orders-staging is not granted to etl-loader', statement: 0 } },

  // Names with dots in them.
  { name: 'quoted pattern "raw.events".* covers schema raw.events', who: p.etl, on: c.analytics,
    sql: ok(stmt('read', [['read', 'raw.events', 'clicks']])), expect: { allow: ['gr-etl-analytics'] } },
  { name: 'quoted pattern does not cover schema raw, table events.clicks', who: p.etl, on: c.analytics,
    sql: ok(stmt('read', [['read', 'raw', 'events.clicks']])),
    expect: { code: 'object_not_covered', message: 'read on raw."events.clicks" is not granted to etl-loader: their grants with read cover "raw.events".*, staging.load_?', statement: 0 } },
  { name: 'service account writes with a multi-privilege grant', who: p.etl, on: c.analytics, sql: ok(stmt('write', ['write staging.load_1', 'read staging.load_2'])),
    expect: { allow: ['gr-etl-analytics'] } },

  // Admin implies; requires on the connection as a whole.
  { name: 'admin implies read', who: p.bob, on: c.staging, sql: ok(select('public.orders')), expect: { allow: ['gr-eng-staging-admin'] } },
  { name: 'admin implies write', who: p.bob, on: c.staging, sql: ok(deleteAll('public.orders')), expect: { allow: ['gr-eng-staging-admin'] } },
  { name: 'admin implies ddl', who: p.bob, on: c.staging, sql: ok(stmt('ddl', ['ddl public.t'])), expect: { allow: ['gr-eng-staging-admin'] } },
  { name: 'requires admin: met by admin on * (alias of *.*)', who: p.bob, on: c.staging, sql: ok(stmt('admin', [], { flags: ['dynamic_code'], requires: 'admin' })),
    expect: { allow: ['gr-eng-staging-admin'] } },
  { name: 'requires admin: read on *.* is not enough', who: p.bob, on: c.prod, sql: ok(stmt('session', [], { flags: ['role_change'], requires: 'admin' })),
    expect: { code: 'missing_privilege', message: 'admin on orders-prod as a whole is not granted to bob', statement: 0 } },
  { name: 'requires write on the whole: write on *.orders does not cover it', who: p.alice, on: c.staging, sql: ok(stmt('write', [], { requires: 'write' })),
    expect: { code: 'object_not_covered', message: 'write on orders-staging as a whole is not granted to alice: their grants with write cover *.orders', statement: 0 } },
  { name: 'requires is checked before objects', who: p.alice, on: c.prod, sql: ok(stmt('read', ['read public.secrets'], { requires: 'admin' })),
    expect: { code: 'missing_privilege', message: 'admin on orders-prod as a whole is not granted to alice', statement: 0 } },
  { name: 'dba: admin on *.* meets requires admin', who: p.dora, on: c.prod, sql: ok(stmt('session', [], { flags: ['role_change'], requires: 'admin' })), expect: { allow: ['gr-dba-prod'] } },

  // Statements that need only access to the connection.
  { name: 'BEGIN with access', who: p.alice, on: c.prod, sql: ok(begin), expect: { allow: ['gr-an-orders', 'gr-an-sales'] } },
  { name: 'SELECT 1 with access elsewhere only', who: p.alice, on: c.staging, sql: ok(selectOne), expect: { allow: ['gr-an-staging-write'] } },
  { name: 'SELECT 1 without any grant', who: p.erin, on: c.prod, sql: ok(selectOne),
    expect: { code: 'no_grant', message: 'access to orders-prod is not granted to erin', statement: 0 } },
  { name: 'object need without any grant', who: p.erin, on: c.prod, sql: ok(select('public.orders')),
    expect: { code: 'no_grant', message: 'read on public.orders is not granted to erin: they have no grant on orders-prod', statement: 0 } },
  { name: 'reach-only statements are not credited next to real needs', who: p.alice, on: c.prod, sql: ok(begin, select('sales.a'), commit), expect: { allow: ['gr-an-sales'] } },
  { name: 'no statements at all still needs access (allowed)', who: p.alice, on: c.prod, sql: ok(), expect: { allow: ['gr-an-orders', 'gr-an-sales'] } },
  { name: 'no statements at all still needs access (denied)', who: p.erin, on: c.prod, sql: ok(),
    expect: { code: 'no_grant', message: 'access to orders-prod is not granted to erin', statement: null } },

  // Empty tag selector: fail closed.
  { name: 'empty tag selector reaches nothing', who: p.wendy, on: c.prod, sql: ok(begin),
    expect: { code: 'no_grant', message: 'access to orders-prod is not granted to wendy', statement: 0 } },
  { name: 'empty tag selector reaches nothing, not even staging', who: p.wendy, on: c.staging, sql: ok(select('public.orders')),
    expect: { code: 'no_grant', message: 'read on public.orders is not granted to wendy: they have no grant on orders-staging', statement: 0 } },

  // Catalog reads.
  { name: 'catalog read with access', who: p.alice, on: c.prod, sql: ok(catalog('pg_catalog.pg_class', 'pg_catalog.pg_namespace', 'information_schema.tables')),
    expect: { allow: ['gr-an-orders', 'gr-an-sales'] } },
  { name: 'catalog read without access', who: p.erin, on: c.prod, sql: ok(catalog('pg_catalog.pg_class')),
    expect: { code: 'no_grant', message: 'access to orders-prod is not granted to erin', statement: 0 } },
  { name: 'catalog read of a protected catalog needs a grant', who: p.alice, on: c.prod, sql: ok(catalog('pg_catalog.pg_class', 'pg_catalog.pg_authid')),
    expect: { code: 'object_not_covered', message: 'read on pg_catalog.pg_class is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'protected catalog with read on *.*', who: p.bob, on: c.prod, sql: ok(catalog('pg_catalog.pg_authid')), expect: { allow: ['gr-eng-prod-read'] } },
  { name: 'catalog flag with a user table: no waiver', who: p.alice, on: c.prod, sql: ok(catalog('public.secrets', 'pg_catalog.pg_class')),
    expect: { code: 'object_not_covered', message: 'read on public.secrets is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'catalog relations without the flag need grants', who: p.alice, on: c.prod, sql: ok(select('pg_catalog.pg_class')),
    expect: { code: 'object_not_covered', message: 'read on pg_catalog.pg_class is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'catalog rule does not waive requires', who: p.alice, on: c.prod,
    sql: ok(stmt('read', ['read pg_catalog.pg_stat_activity'], { flags: ['system_catalog', 'side_effect_function'], requires: 'admin' })),
    expect: { code: 'missing_privilege', message: 'admin on orders-prod as a whole is not granted to alice', statement: 0 } },
  { name: 'catalog write is no catalog read', who: p.alice, on: c.prod, sql: ok(stmt('write', ['write pg_catalog.pg_class'], { flags: ['system_catalog'] })),
    expect: { code: 'grant_expired', message: 'write on pg_catalog.pg_class was granted to alice until 2026-02-01T00:00:00Z (expired)', statement: 0 } },

  // Deny rules override grants.
  { name: 'no_where on prod', who: p.alice, on: c.prod, sql: ok(deleteAll('sales.orders')),
    expect: { code: 'deny_rule', message: 'denied by rule no-where-in-prod: update or delete without a where clause is not allowed on orders-prod', statement: 0 } },
  { name: 'no_where overrides admin on *.*', who: p.dora, on: c.prod, sql: ok(deleteAll('public.orders')),
    expect: { code: 'deny_rule', message: 'denied by rule no-where-in-prod: update or delete without a where clause is not allowed on orders-prod', statement: 0 } },
  { name: 'same delete with a where clause is allowed', who: p.dora, on: c.prod, sql: ok(update('public.orders')), expect: { allow: ['gr-dba-prod'] } },
  { name: 'no_where on a connection matched by tag (analytics)', who: p.etl, on: c.analytics, sql: ok(deleteAll('staging.load_1')),
    expect: { code: 'deny_rule', message: 'denied by rule no-where-in-prod: update or delete without a where clause is not allowed on analytics', statement: 0 } },
  { name: 'no_where off prod is allowed', who: p.bob, on: c.staging, sql: ok(deleteAll('public.orders')), expect: { allow: ['gr-eng-staging-admin'] } },
  { name: 'drop matches drop_truncate (lowest rule id wins over ddl), custom reason', who: p.dora, on: c.prod, sql: ok(stmt('ddl', ['ddl public.orders'], { flags: ['drop'] })),
    expect: { code: 'deny_rule', message: 'denied by rule no-drop-in-prod: dropping or truncating in production needs a change ticket', statement: 0 } },
  { name: 'truncate matches drop_truncate', who: p.dora, on: c.prod, sql: ok(stmt('ddl', ['write public.orders'], { flags: ['truncate'] })),
    expect: { code: 'deny_rule', message: 'denied by rule no-drop-in-prod: dropping or truncating in production needs a change ticket', statement: 0 } },
  { name: 'classes matches the statement class', who: p.dora, on: c.prod, sql: ok(stmt('ddl', ['ddl public.t'])),
    expect: { code: 'deny_rule', message: 'denied by rule no-ddl-in-prod: a ddl statement is not allowed on orders-prod', statement: 0 } },
  { name: 'flags matches any listed flag, overriding admin', who: p.bob, on: c.staging, sql: ok(stmt('write', ['write public.t'], { flags: ['copy_program'], requires: 'admin' })),
    expect: { code: 'deny_rule', message: 'denied by rule no-programs: a statement flagged copy_program is not allowed on orders-staging', statement: 0 } },
  { name: 'deny rules come before privileges (even with no grant)', who: p.erin, on: c.prod, sql: ok(deleteAll('public.orders')),
    expect: { code: 'deny_rule', message: 'denied by rule no-where-in-prod: update or delete without a where clause is not allowed on orders-prod', statement: 0 } },

  // Several statements: the first statement that fails, in order.
  { name: 'second statement lacks the privilege', who: p.alice, on: c.prod, sql: ok(select('sales.a'), update('public.orders')),
    expect: { code: 'grant_expired', message: 'write on public.orders was granted to alice until 2026-02-01T00:00:00Z (expired)', statement: 1 } },
  { name: 'second statement hits a deny rule', who: p.alice, on: c.prod, sql: ok(select('sales.a'), deleteAll('sales.a')),
    expect: { code: 'deny_rule', message: 'denied by rule no-where-in-prod: update or delete without a where clause is not allowed on orders-prod', statement: 1 } },
  { name: 'first statement privileges before second statement deny rule', who: p.alice, on: c.prod, sql: ok(select('hr.salaries'), deleteAll('sales.a')),
    expect: { code: 'object_not_covered', message: 'read on hr.salaries is not granted to alice: their grants with read cover public.order?, sales.*', statement: 0 } },
  { name: 'third statement, after a transaction start', who: p.bob, on: c.prod, sql: ok(begin, select('public.orders'), update('public.orders'), commit),
    expect: { code: 'grant_expired', message: 'write on public.orders was granted to bob until 2026-01-01T00:00:00Z (expired)', statement: 2 } },
  { name: 'all statements allowed: grants of all credited', who: p.alice, on: c.prod, sql: ok(select('public.orders'), select('sales.a')), expect: { allow: ['gr-an-orders', 'gr-an-sales'] } },

  // The principal and the parse come first.
  { name: 'disabled principal', who: p.dave, on: c.prod, sql: ok(select('sales.a')), expect: { code: 'principal_disabled', message: 'user dave is disabled', statement: null } },
  { name: 'disabled beats unparseable', who: p.dave, on: c.prod, sql: { ok: false, error: 'syntax error' },
    expect: { code: 'principal_disabled', message: 'user dave is disabled', statement: null } },
  { name: 'expired principal (expiresAt passed)', who: p.carol, on: c.staging, sql: ok(selectOne),
    expect: { code: 'principal_expired', message: 'user carol expired at 2026-02-15T00:00:00Z', statement: null } },
  { name: 'principal expiring exactly now has expired', who: p.frank, on: c.prod, sql: ok(select('sales.a')),
    expect: { code: 'principal_expired', message: 'user frank expired at 2026-03-01T12:00:00Z', statement: null } },
  { name: 'principal with status expired', who: p.gina, on: c.prod, sql: ok(select('sales.a')), expect: { code: 'principal_expired', message: 'user gina has expired', statement: null } },
  { name: 'unparseable, with position', who: p.alice, on: c.prod, sql: { ok: false, error: 'syntax error at or near "SELEC"', position: 1 },
    expect: { code: 'unparseable', message: 'the statement could not be parsed, so it is denied: syntax error at or near "SELEC" (at position 1)', statement: null } },
  { name: 'unparseable beats deny rules and missing grants', who: p.erin, on: c.prod, sql: { ok: false, error: 'unterminated quoted string' },
    expect: { code: 'unparseable', message: 'the statement could not be parsed, so it is denied: unterminated quoted string', statement: null } },
];

describe('evaluate: the fixture world', () => {
  for (const row of rows) {
    it(row.name, () => {
      const decision = evaluate(input(row.who, row.on, row.sql));
      if ('allow' in row.expect) {
        assert.deepEqual(decision, { allow: true, grants: row.expect.allow });
      } else {
        assert.equal(decision.allow, false, `expected ${row.expect.code}, got ${JSON.stringify(decision)}`);
        if (decision.allow) return;
        const { code, message, statement } = decision.denial;
        assert.deepEqual({ code, message, statement }, row.expect);
      }
    });
  }

  it('covers every denial code', () => {
    const codes = new Set(rows.flatMap((r) => ('code' in r.expect ? [r.expect.code] : [])));
    const all: DenialCode[] = ['principal_disabled', 'principal_expired', 'unparseable', 'no_grant', 'missing_privilege', 'object_not_covered', 'grant_expired', 'deny_rule'];
    assert.deepEqual([...codes].sort(), all.sort());
  });
});

describe('evaluate: denial details', () => {
  it('names privilege, object and the expired grants to renew', () => {
    const decision = evaluate(input(p.bob, c.prod, ok(select('sales.a'), update('public.orders'))));
    assert.deepEqual(decision, {
      allow: false,
      denial: {
        code: 'grant_expired',
        message: 'write on public.orders was granted to bob until 2026-01-01T00:00:00Z (expired)',
        statement: 1,
        privilege: 'write',
        object: 'public.orders',
        grants: ['gr-eng-prod-write'],
      },
    });
  });

  it('names the deny rule', () => {
    const decision = evaluate(input(p.alice, c.prod, ok(deleteAll('sales.a'))));
    assert.equal(!decision.allow && decision.denial.denyRuleId, 'dr-1');
  });

  it('names the latest end when several expired grants would have allowed it', () => {
    const extra = { ...grants.find((g) => g.id === 'gr-eng-prod-write')!, id: 'gr-eng-prod-write-2', expiresAt: '2026-02-10T08:30:00.250Z' };
    const decision = evaluate(input(p.bob, c.prod, ok(update('public.orders')), { grants: [...grants, extra] }));
    assert.equal(!decision.allow && decision.denial.message, 'write on public.orders was granted to bob until 2026-02-10T08:30:00.250Z (expired)');
    assert.deepEqual(!decision.allow && decision.denial.grants, ['gr-eng-prod-write', 'gr-eng-prod-write-2']);
  });

  it('uses the later of two memberships in the same group', () => {
    const twice = { ...p.alice, groups: [...p.alice.groups, { groupId: 'g-oncall', groupName: 'oncall', expiresAt: '2026-03-02T00:00:00Z' }] };
    assert.deepEqual(evaluate(input(twice, c.prod, ok(update('public.orders')))), { allow: true, grants: ['gr-oncall-prod-write'] });
  });

  it('caps the patterns it lists in object_not_covered', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((s, i) => ({ ...grants[0]!, id: `gr-${i}`, objects: [`${s}.*`] }));
    const decision = evaluate(input(p.alice, c.prod, ok(select('z.t')), { grants: many }));
    assert.equal(!decision.allow && decision.denial.message, 'read on z.t is not granted to alice: their grants with read cover a.*, b.*, c.*, d.* and 2 more');
  });
});

describe('evaluate: fail closed on bad stored data', () => {
  const decide = (overrides: Parameters<typeof input>[3], sql = ok(select('sales.a')), who = p.alice) => evaluate(input(who, c.prod, sql, overrides));

  it('a deny rule with an empty tag selector applies everywhere', () => {
    const rule = { id: 'dr-0', name: 'broken', on: { tags: {} }, match: { kind: 'classes' as const, classes: ['read' as const] }, reason: null };
    const d = decide({ denyRules: [...denyRules, rule] });
    assert.equal(!d.allow && d.denial.code, 'deny_rule');
  });

  it('a deny rule of an unknown kind denies', () => {
    const rule = { id: 'dr-0', name: 'from-the-future', on: { connection: 'orders-prod' }, match: { kind: 'sleepy' }, reason: 'no naps' } as never;
    const d = decide({ denyRules: [rule] });
    assert.deepEqual(!d.allow && d.denial.message, 'denied by rule from-the-future: no naps');
  });

  it('a grant with an unreadable expiry, an invalid glob or no known privilege counts for nothing', () => {
    const base = grants.find((g) => g.id === 'gr-an-sales')!;
    for (const bad of [{ expiresAt: 'next tuesday' }, { objects: ['sales'] }, { privileges: ['select' as never] }, { on: { connection: '' } }]) {
      const d = decide({ grants: [{ ...base, ...bad }] });
      assert.equal(!d.allow && d.denial.code, 'no_grant', JSON.stringify(bad));
    }
  });

  it('a principal with an unreadable expiry has expired; an unknown status is disabled', () => {
    assert.equal(decide({}, undefined, { ...p.alice, expiresAt: 'soon' }).allow, false);
    const d = decide({}, undefined, { ...p.alice, status: 'suspended' as never });
    assert.equal(!d.allow && d.denial.code, 'principal_disabled');
  });

  it('is pure: same input, same decision, input untouched', () => {
    const i = input(p.alice, c.prod, ok(select('sales.a'), update('public.orders')));
    const before = JSON.stringify(i);
    assert.deepEqual(evaluate(i), evaluate(i));
    assert.equal(JSON.stringify(i), before);
    assert.equal(NOW.toISOString(), '2026-03-01T12:00:00.000Z');
  });
});

describe('evaluate: selectors', () => {
  it('a tag selector compares own tags only', () => {
    const g = { ...grants[0]!, on: { tags: { constructor: 'x' } } };
    const d = evaluate(input(p.alice, c.prod, ok(stmt('read')), { grants: [g] }));
    assert.equal(!d.allow && d.denial.code, 'no_grant');
  });

  it('tag values are case-sensitive', () => {
    const g = { ...grants[0]!, on: { tags: { env: 'Prod' } } };
    const d = evaluate(input(p.alice, c.prod, ok(stmt('read')), { grants: [g] }));
    assert.equal(!d.allow && d.denial.code, 'no_grant');
  });
});
