import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { storeSource, verifyLog } from '../../src/ledger/index.js';

const UPSTREAM_PASSWORD = 'Upstream-Pa55word-xyzzy';
const USER_PASSWORD = 'alice-Pa55phrase-plugh';

/** Every mutation is in the ledger with the right actor; no secret is in any response, entry or log line. */
for (const kind of STORE_KINDS) {
  describe(`admin API audit trail on ${kind}`, () => {
    let api: TestApi;
    const responses: string[] = [];
    let admin2: string;

    before(async () => {
      api = await startTestApi(kind);
      admin2 = await api.principal('second-admin', 'admin');
    });
    after(async () => api.close());

    const call = async (method: string, path: string, body?: unknown, token = api.adminToken) => {
      const r = await api.call(token, method, path, body);
      responses.push(r.text);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
      return r.body;
    };

    it('records each mutation with actor, action and target, in order', async () => {
      const start = api.cp.ledger.size;
      await call('POST', '/users', { name: 'alice', email: 'alice@example.com', password: USER_PASSWORD });
      await call('POST', '/users', { name: 'etl', kind: 'service' });
      await call('PATCH', '/users/alice', { display_name: 'Alice A.', password: `${USER_PASSWORD}-2` });
      await call('POST', '/groups', { name: 'analysts', description: 'read sales data', owner: 'alice' });
      await call('POST', '/groups/analysts/members', { principal: 'alice' });
      await call('POST', '/connections', { name: 'orders-prod', engine: 'postgres', host: '127.0.0.1', database: 'orders', username: 'gate', password: UPSTREAM_PASSWORD, tags: { env: 'prod' } });
      await call('PATCH', '/connections/orders-prod', { password: `${UPSTREAM_PASSWORD}-2`, tags: { env: 'prod', tier: '1' } });
      const grant = await call('POST', '/grants', { group: 'analysts', on: { tags: { env: 'prod' } }, privileges: ['read'], objects: ['sales.*'] }, admin2);
      await call('POST', '/deny-rules', { name: 'prod-no-where', on: { tags: { env: 'prod' } }, match: { kind: 'no_where' } });
      const token = await call('POST', '/tokens', { name: 'etl-key', principal: 'etl' });
      await call('DELETE', `/tokens/${token.id}`);
      await call('DELETE', `/grants/${grant.id}`);
      await call('DELETE', '/deny-rules/prod-no-where');
      await call('DELETE', '/groups/analysts/members/alice');
      await call('DELETE', '/groups/analysts');
      await call('DELETE', '/connections/orders-prod');
      await call('DELETE', '/users/etl');

      const page = await call('GET', `/ledger/entries?from=${start}&limit=100`);
      const got = page.entries.map((e: { entry: { action: string; actor: { name: string }; target: { type: string } } }) => [e.entry.action, e.entry.actor.name, e.entry.target.type]);
      assert.deepEqual(got, [
        ['admin.user.create', 'root', 'user'],
        ['admin.service_account.create', 'root', 'service_account'],
        ['admin.user.update', 'root', 'user'],
        ['admin.group.create', 'root', 'group'],
        ['admin.membership.add', 'root', 'membership'],
        ['admin.connection.create', 'root', 'connection'],
        ['admin.connection.update', 'root', 'connection'],
        ['admin.grant.create', 'second-admin', 'grant'],
        ['admin.deny_rule.create', 'root', 'deny_rule'],
        ['admin.token.create', 'root', 'token'],
        ['admin.token.revoke', 'root', 'token'],
        ['admin.grant.delete', 'root', 'grant'],
        ['admin.deny_rule.delete', 'root', 'deny_rule'],
        ['admin.membership.remove', 'root', 'membership'],
        ['admin.group.delete', 'root', 'group'],
        ['admin.connection.delete', 'root', 'connection'],
        ['admin.service_account.delete', 'root', 'service_account'],
      ]);
      // The change itself (before/after) is a committed payload, kept apart and redactable.
      const payload = await api.opened.repo.payload(start + 6);
      const change = JSON.parse(payload!.payload);
      assert.deepEqual(change.before.tags, { env: 'prod' });
      assert.deepEqual(change.after.tags, { env: 'prod', tier: '1' });
      assert.equal(change.after.password, 'changed');
      const filtered = await call('GET', `/ledger/entries?from=${start}&action=admin.grant.*&actor=second-admin`);
      assert.deepEqual(filtered.entries.map((e: { index: number }) => e.index), [start + 7]);
    });

    it('never shows a secret: not in responses, ledger entries, payloads or log lines', async () => {
      for (const path of ['/users', '/users/alice', '/groups', '/connections', '/grants', '/deny-rules', '/tokens', '/inventory', '/inventory?format=csv', '/me']) {
        await call('GET', path);
      }
      await call('POST', '/connections', { name: 'crm', engine: 'mysql', host: 'db.internal', database: 'crm', username: 'gate', password: UPSTREAM_PASSWORD });
      const shown = await call('GET', '/connections/crm');
      assert.equal(shown.has_password, true);
      assert.equal(shown.secret, undefined);
      const entries = await api.opened.repo.entries(0, 10_000);
      const payloads = await api.opened.repo.payloads(0, 10_000);
      const everything = [
        ...responses,
        ...api.logs,
        ...entries.map((e) => e.entry.toString('utf8')),
        ...payloads.map((p) => p.payload),
      ].join('\n');
      assert.ok(api.logs.length > 10, 'the server logged requests');
      for (const secret of [UPSTREAM_PASSWORD, USER_PASSWORD, api.adminToken]) {
        assert.ok(!everything.includes(secret), 'a secret leaked');
      }
      assert.ok(!/ghk_[A-Za-z0-9_-]{43}/.test([...api.logs, ...entries.map((e) => e.entry.toString())].join('')));
      // What the store holds is sealed, and opens only for its own row.
      const row = await api.cp.connections.row('crm');
      assert.match(row!.secret!, /^v1\.testkey0\./);
      assert.ok(!row!.secret!.includes(UPSTREAM_PASSWORD));
    });

    it('the ledger with all these events verifies', async () => {
      await api.cp.ledger.checkpoint();
      const report = await verifyLog(storeSource(api.opened.repo, 'the test store'));
      assert.equal(report.ok, true, JSON.stringify(report.problems));
    });
  });
}
