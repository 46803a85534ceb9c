import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectivePrivileges } from './index.js';
import { connections as c, grants, NOW, principals as p } from './world.fixture.js';

const all = Object.values(c);
const summary = (who: (typeof p)[keyof typeof p], now = NOW) =>
  effectivePrivileges(who, all, grants, now).map((a) => ({
    connection: a.connectionName,
    privileges: a.privileges.map((x) => `${x.privilege} ${x.objects.join(' ')} via ${x.grants.join(' ')}`),
  }));

describe('effectivePrivileges', () => {
  it('lists per connection what an analyst holds, through which grants', () => {
    assert.deepEqual(summary(p.alice), [
      { connection: 'analytics', privileges: ['read sales.* via gr-an-sales'] },
      { connection: 'orders-prod', privileges: ['read public.order? sales.* via gr-an-orders gr-an-sales'] },
      { connection: 'orders-staging', privileges: ['write *.orders via gr-an-staging-write'] },
    ]);
  });

  it('expands admin, collapses to *.* when a grant covers everything, skips expired grants', () => {
    assert.deepEqual(summary(p.bob), [
      { connection: 'analytics', privileges: ['read Reports.* via gr-eng-reports'] },
      { connection: 'orders-prod', privileges: ['read *.* via gr-eng-prod-read'] },
      {
        connection: 'orders-staging',
        privileges: ['read *.* via gr-eng-staging-admin', 'write *.* via gr-eng-staging-admin', 'ddl *.* via gr-eng-staging-admin', 'admin *.* via gr-eng-staging-admin'],
      },
    ]);
  });

  it('a grant still live a moment earlier is listed with its end', () => {
    const before = new Date(NOW.getTime() - 1);
    const analytics = effectivePrivileges(p.bob, [c.analytics], grants, before)[0]!;
    assert.deepEqual(analytics.privileges, [{ privilege: 'read', objects: ['Reports.*', 'metrics.*'], grants: ['gr-eng-metrics', 'gr-eng-reports'] }]);
    assert.deepEqual(analytics.grants.find((g) => g.id === 'gr-eng-metrics')?.until, '2026-03-01T12:00:00Z');
  });

  it('the end of a grant is the earlier of grant and membership expiry', () => {
    const before = new Date('2026-01-15T00:00:00Z');
    const prod = effectivePrivileges(p.alice, [c.prod], grants, before)[0]!;
    const oncall = prod.grants.find((g) => g.id === 'gr-oncall-prod-write');
    assert.deepEqual(oncall, { id: 'gr-oncall-prod-write', groupId: 'g-oncall', groupName: 'oncall', privileges: ['write'], objects: ['*.*'], until: '2026-02-01T00:00:00Z', reason: null });
  });

  it('holds nothing when disabled, expired, without groups, or with only broken selectors', () => {
    for (const who of [p.dave, p.carol, p.frank, p.gina, p.erin, p.wendy, p.ivan]) {
      assert.deepEqual(effectivePrivileges(who, all, grants, NOW), [], who.name);
    }
  });

  it('names the service account its connection exactly (case-sensitive)', () => {
    assert.deepEqual(summary(p.etl), [{ connection: 'analytics', privileges: ['read "raw.events".* staging.load_? via gr-etl-analytics', 'write "raw.events".* staging.load_? via gr-etl-analytics'] }]);
  });
});
