import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, explainDecision } from './index.js';
import { connections as c, input, ok, principals as p, stmt } from './world.fixture.js';

describe('explainDecision', () => {
  it('walks through each statement: needs, grants that met them, the denial and what was skipped', () => {
    const i = input(
      p.alice,
      c.prod,
      ok(
        stmt('transaction', [], { text: 'BEGIN' }),
        stmt('read', ['read sales.a', 'read public.orders'], { text: 'SELECT *\n  FROM sales.a JOIN orders USING (id)' }),
        stmt('write', ['write public.orders'], { text: 'UPDATE orders SET x = 1 WHERE id = 2' }),
        stmt('transaction', [], { text: 'COMMIT' }),
      ),
    );
    assert.equal(
      explainDecision(evaluate(i), i),
      [
        'decision: deny grant_expired at statement 2',
        'reason: write on public.orders was granted to alice until 2026-02-01T00:00:00Z (expired)',
        'at: 2026-03-01T12:00:00Z',
        'principal: user alice (active)',
        '  member of analysts',
        '  member of oncall, until 2026-02-01T00:00:00Z — no longer counts',
        'connection: orders-prod (postgres; env=prod)',
        'grants reaching it:',
        '  gr-an-orders via analysts: read on public.order? (connection orders-prod; live)',
        '  gr-an-sales via analysts: read on sales.* (connections tagged env=prod; live)',
        '  gr-oncall-prod-write via oncall: write on *.* (connection orders-prod; expired at 2026-02-01T00:00:00Z)',
        'statement 0 [transaction]: BEGIN',
        '  needs access to orders-prod: met by gr-an-orders, gr-an-sales',
        'statement 1 [read]: SELECT * FROM sales.a JOIN orders USING (id)',
        '  needs read on sales.a: met by gr-an-sales',
        '  needs read on public.orders: met by gr-an-orders',
        'statement 2 [write]: UPDATE orders SET x = 1 WHERE id = 2',
        '  denied (grant_expired): write on public.orders was granted to alice until 2026-02-01T00:00:00Z (expired)',
        '  renewing gr-oncall-prod-write would allow it',
        'statement 3: not evaluated (an earlier statement was denied)',
      ].join('\n'),
    );
  });

  it('explains an allow, a catalog read and a requirement on the connection as a whole', () => {
    const i = input(
      p.bob,
      c.staging,
      ok(
        stmt('read', ['read pg_catalog.pg_class'], { flags: ['system_catalog'], text: 'SELECT relname FROM pg_catalog.pg_class' }),
        stmt('admin', [], { requires: 'admin', flags: ['dynamic_code'], text: "DO $$ BEGIN RAISE NOTICE 'hi'; END $$" }),
      ),
    );
    const text = explainDecision(evaluate(i), i);
    assert.match(text, /^decision: allow \(grants gr-eng-staging-admin\)$/m);
    assert.match(text, /^ {2}catalog read: its pg_catalog\/information_schema relations need no grant of their own$/m);
    assert.match(text, /^ {2}needs access to orders-staging: met by gr-eng-staging-admin$/m);
    assert.match(text, /^ {2}needs admin on orders-staging as a whole: met by gr-eng-staging-admin$/m);
  });

  it('names the deny rule and what it matches', () => {
    const i = input(p.dora, c.prod, ok(stmt('write', ['write public.orders'], { flags: ['no_where'], text: 'DELETE FROM orders' })));
    assert.match(explainDecision(evaluate(i), i), /^ {2}denied by deny rule no-where-in-prod \(dr-1\) on connections tagged env=prod: update or delete without a where clause$/m);
  });

  it('says when nothing was looked at, and when the decision given is not what the input yields', () => {
    const i = input(p.dave, c.prod, ok(stmt('read'), stmt('read')));
    const text = explainDecision({ allow: true, grants: ['gr-an-sales'] }, i);
    assert.match(text, /^note: the decision given \(allow \(grants gr-an-sales\)\) differs from what this input yields now; explaining the latter$/m);
    assert.match(text, /^reason: user dave is disabled$/m);
    assert.match(text, /^statements 0–1: not evaluated \(the request was denied before any statement was looked at\)$/m);
    assert.doesNotMatch(text, /grants reaching it/);
  });

  it('lists no grants when none reach the connection', () => {
    const i = input(p.erin, c.prod, ok(stmt('read', [], { text: 'SELECT 1' })));
    const text = explainDecision(evaluate(i), i);
    assert.match(text, /^grants reaching it: none$/m);
    assert.match(text, /^ {2}denied \(no_grant\): access to orders-prod is not granted to erin$/m);
  });
});
