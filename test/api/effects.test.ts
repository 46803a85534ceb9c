import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.js';
import { startTestApi, type TestApi } from '../support/api.js';

const HOUR = 3_600_000;

/** Changes count from the next decision on: expiry, disabling, removal; no cache outlives them. */
for (const kind of STORE_KINDS) {
  describe(`policy decisions follow changes at once on ${kind}`, () => {
    let api: TestApi;
    const check = async (sql: string, user = 'alice') => {
      const r = await api.call(api.adminToken, 'POST', '/policy/check', { user, connection: 'orders-prod', sql });
      assert.equal(r.status, 200, r.text);
      return r.body as { decision: { allow: boolean; grants?: string[]; denial?: { code: string; message: string } }; explanation: string };
    };
    let grantId: string;

    before(async () => {
      api = await startTestApi(kind);
      const admin = api.adminToken;
      const at = (ms: number) => new Date(api.clock.current.getTime() + ms).toISOString();
      await api.principal('alice', 'member');
      for (const [path, body] of [
        ['/groups', { name: 'analysts', description: 'read sales' }],
        ['/groups', { name: 'contractors', description: 'temporary staff' }],
        ['/groups/analysts/members', { principal: 'alice' }],
        ['/groups/contractors/members', { principal: 'alice', expires_at: at(2 * HOUR) }],
        ['/connections', { name: 'orders-prod', engine: 'postgres', host: '127.0.0.1', database: 'orders', username: 'gate', tags: { env: 'prod' } }],
        ['/grants', { group: 'contractors', on: { connection: 'orders-prod' }, privileges: ['write'], objects: ['sales.*'], expires_at: at(1 * HOUR), reason: 'migration' }],
        ['/deny-rules', { name: 'prod-no-where', on: { tags: { env: 'prod' } }, match: { kind: 'no_where' }, reason: 'bulk changes need a ticket' }],
      ] as const) {
        const r = await api.call(admin, 'POST', path, body);
        assert.equal(r.status, 201, `${path}: ${r.text}`);
      }
      const g = await api.call(admin, 'POST', '/grants', { group: 'analysts', on: { tags: { env: 'prod' } }, privileges: ['read'], objects: ['sales.*'] });
      grantId = g.body.id;
    });
    after(async () => api.close());

    it('allows what a grant covers and names the grant', async () => {
      const r = await check('SELECT * FROM sales.orders');
      assert.equal(r.decision.allow, true, r.explanation);
      assert.deepEqual(r.decision.grants, [grantId]);
      assert.match(r.explanation, /allow/i);
    });

    it('denies what no grant covers, and deny rules override grants', async () => {
      const other = await check('SELECT * FROM hr.salaries');
      assert.equal(other.decision.denial?.code, 'object_not_covered');
      assert.match(other.decision.denial!.message, /read on hr\.salaries is not granted to alice/);
      const bulk = await check('UPDATE sales.orders SET total = 0');
      assert.equal(bulk.decision.denial?.code, 'deny_rule');
      assert.match(bulk.decision.denial!.message, /prod-no-where/);
      const bad = await check('SELEC * FROM sales.orders');
      assert.equal(bad.decision.denial?.code, 'unparseable');
    });

    it('an expired grant and an expired membership stop counting at once', async () => {
      assert.equal((await check("UPDATE sales.orders SET total = 0 WHERE id = 1")).decision.allow, true);
      api.clock.advance(1 * HOUR); // the write grant's expiry instant: expired from now on
      const expired = await check("UPDATE sales.orders SET total = 0 WHERE id = 1");
      assert.equal(expired.decision.denial?.code, 'grant_expired', expired.explanation);
      api.clock.advance(1 * HOUR); // the contractors membership ends too
      const me = await api.call(api.adminToken, 'GET', '/users/alice');
      const contractors = me.body.groups.find((g: { group: string }) => g.group === 'contractors');
      assert.equal(contractors.active, false);
      assert.equal((await check('SELECT * FROM sales.orders')).decision.allow, true, 'analysts still counts');
    });

    it('disabling a user, removing a membership or revoking a grant applies to the next decision', async () => {
      await api.call(api.adminToken, 'PATCH', '/users/alice', { status: 'disabled' });
      assert.equal((await check('SELECT * FROM sales.orders')).decision.denial?.code, 'principal_disabled');
      await api.call(api.adminToken, 'PATCH', '/users/alice', { status: 'active' });
      assert.equal((await check('SELECT * FROM sales.orders')).decision.allow, true);

      await api.call(api.adminToken, 'DELETE', '/groups/analysts/members/alice');
      assert.equal((await check('SELECT * FROM sales.orders')).decision.allow, false);
      await api.call(api.adminToken, 'POST', '/groups/analysts/members', { principal: 'alice' });
      assert.equal((await check('SELECT * FROM sales.orders')).decision.allow, true);

      await api.call(api.adminToken, 'DELETE', `/grants/${grantId}`);
      assert.equal((await check('SELECT * FROM sales.orders')).decision.denial?.code, 'no_grant');
    });

    it('an account past its expiry reads as expired and is refused', async () => {
      await api.call(api.adminToken, 'PATCH', '/users/alice', { expires_at: new Date(api.clock.current.getTime() + HOUR).toISOString() });
      api.clock.advance(HOUR);
      const me = await api.call(api.adminToken, 'GET', '/users/alice');
      assert.equal(me.body.status, 'expired');
      assert.equal((await check('SELECT 1')).decision.denial?.code, 'principal_expired');
    });

    it('the inventory shows each principal with its effective access, as JSON and CSV', async () => {
      await api.call(api.adminToken, 'PATCH', '/users/alice', { expires_at: null });
      await api.call(api.adminToken, 'POST', '/grants', { group: 'analysts', on: { connection: 'orders-prod' }, privileges: ['read', 'write'], objects: ['sales.*'] });
      const json = await api.call(api.adminToken, 'GET', '/inventory');
      const alice = json.body.find((r: { name: string }) => r.name === 'alice');
      const root = json.body.find((r: { name: string }) => r.name === 'root');
      assert.equal(root.last_activity_at, api.clock.current.toISOString(), 'API use counts as activity');
      assert.equal(alice.last_activity_at, null);
      assert.deepEqual(alice.groups, ['analysts']);
      assert.equal(alice.access[0].connectionName, 'orders-prod');
      assert.deepEqual(alice.access[0].privileges.map((p: { privilege: string }) => p.privilege), ['read', 'write']);
      const csv = await api.call(api.adminToken, 'GET', '/inventory?format=csv');
      assert.match(csv.type, /text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      assert.equal(lines[0], 'principal,kind,role,status,source,expires_at,last_login_at,groups,connection,privileges,objects,grants');
      assert.ok(lines.some((l: string) => l.startsWith('alice,human,member,active,local,,,analysts,orders-prod,read write,')));
      assert.ok(lines.some((l: string) => l.startsWith('root,human,admin,active,local,,,,,')));
    });
  });
}
