import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { TestSession } from '../support/sessions.js';
import { DEFAULT_TERMINATE_REASON } from '../../src/api/routes/sessions.js';
import type { Principal } from '../../src/identity/model.js';
import type { SessionInfo } from '../../src/gateway/engine.js';

/**
 * Live sessions over the admin API: who sees which, who may end one, the ledger event that
 * comes first, and the sessions of an account that is disabled or deleted ending at once.
 */
for (const kind of STORE_KINDS) {
  describe(`live sessions in the admin API on ${kind}`, () => {
    let api: TestApi;
    let auditor: string;
    let mel: string;
    let kim: string;
    const who: Record<string, Principal> = {};
    let minute = 0;

    /** A session of `name` on `connection`, each one a minute after the last (list order is by start). */
    const open = (name: string, connection: string, extra: ConstructorParameters<typeof TestSession>[4] = {}) =>
      new TestSession(api.sessions, who[name]!, connection, new Date(Date.parse('2026-06-01T08:00:00Z') + ++minute * 60_000), extra);
    const ids = (list: SessionInfo[]) => list.map((s) => s.id);
    const lastEntry = async () => (await api.call(api.adminToken, 'GET', `/ledger/entries?from=${api.cp.ledger.size - 1}`)).body.entries[0].entry;

    before(async () => {
      api = await startTestApi(kind);
      auditor = await api.principal('audrey', 'auditor');
      mel = await api.principal('mel', 'member');
      kim = await api.principal('kim', 'member');
      await api.principal('etl', 'member', { kind: 'service' });
      await api.principal('temp', 'member');
      for (const name of ['root', 'audrey', 'mel', 'kim', 'etl', 'temp']) who[name] = (await api.cp.identity.principal(name, api.cp.now()))!;
    });
    after(async () => api.close());

    it('admins and auditors see every session, oldest first; a member only their own', async () => {
      const a = open('root', 'crm');
      const b = open('mel', 'crm', { application: null, client: { address: '::1', port: 51000 } });
      const c = open('kim', 'sales');
      const d = open('mel', 'sales', { state: 'in_transaction' });
      b.statement(true, new Date('2026-06-01T09:00:00Z'));
      b.statement(false, new Date('2026-06-01T09:01:00Z'));
      try {
        for (const token of [api.adminToken, auditor]) {
          const r = await api.call(token, 'GET', '/sessions');
          assert.equal(r.status, 200, r.text);
          assert.deepEqual(ids(r.body), [a.id, b.id, c.id, d.id]);
        }
        const mine = await api.call(mel, 'GET', '/sessions');
        assert.deepEqual(ids(mine.body), [b.id, d.id]);
        assert.deepEqual(ids((await api.call(kim, 'GET', '/sessions')).body), [c.id]);

        const shown = await api.call(mel, 'GET', `/sessions/${b.id}`);
        assert.equal(shown.status, 200, shown.text);
        assert.deepEqual(shown.body, b.info());
        assert.deepEqual(
          [shown.body.principal.name, shown.body.connection.name, shown.body.client, shown.body.application, shown.body.statements, shown.body.denied, shown.body.last_activity_at],
          ['mel', 'crm', { address: '::1', port: 51000 }, null, 2, 1, '2026-06-01T09:01:00.000Z'],
        );
        assert.equal((await api.call(auditor, 'GET', `/sessions/${c.id}`)).body.principal.name, 'kim');
        // Someone else's session is as absent to a member as one that never existed.
        const hidden = await api.call(mel, 'GET', `/sessions/${c.id}`);
        const unknown = await api.call(mel, 'GET', '/sessions/ses_nonesuch');
        assert.equal(hidden.status, 404);
        assert.match(hidden.type, /application\/problem\+json/);
        assert.equal(unknown.status, 404);
        assert.equal(hidden.body.detail.replace(c.id, 'X'), unknown.body.detail.replace('ses_nonesuch', 'X'));
        assert.equal((await api.call(api.adminToken, 'GET', '/sessions/ses_nonesuch')).status, 404);
        assert.equal((await api.call(null, 'GET', '/sessions')).status, 401);
      } finally {
        for (const s of [a, b, c, d]) api.sessions.remove(s.id);
      }
    });

    it('only admins terminate; the ledger event is durable before the session ends', async () => {
      const s = open('mel', 'crm');
      const other = open('kim', 'crm');
      const size = api.cp.ledger.size;
      for (const token of [mel, auditor]) {
        const r = await api.call(token, 'DELETE', `/sessions/${s.id}`);
        assert.equal(r.status, 403, r.text);
      }
      assert.deepEqual(s.terminated, []);
      assert.equal(api.cp.ledger.size, size, 'a refused call records nothing');

      let sizeAtTerminate = -1;
      s.onTerminate = () => (sizeAtTerminate = api.cp.ledger.size);
      const before = s.info();
      const r = await api.call(api.adminToken, 'DELETE', `/sessions/${s.id}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, before);
      assert.deepEqual(s.terminated, [DEFAULT_TERMINATE_REASON]);
      assert.equal(sizeAtTerminate, size + 1, 'the event was appended before terminate() ran');
      assert.equal(api.sessions.get(s.id), undefined);
      assert.deepEqual(other.terminated, [], 'only that session ends');

      const entry = await lastEntry();
      assert.equal(entry.action, 'admin.session.terminate');
      assert.deepEqual(entry.target, { type: 'session', id: s.id, name: 'mel@crm' });
      assert.equal(entry.actor.name, 'root');
      // Who and from where is personal data: in the committed payload, not in the leaf.
      assert.ok(entry.payload_commitment, 'the change is a committed payload');
      const change = JSON.parse((await api.opened.repo.payload(size))!.payload);
      assert.deepEqual(change, { before, after: { reason: DEFAULT_TERMINATE_REASON } });

      // Gone now: 404, and nothing recorded.
      const again = await api.call(api.adminToken, 'DELETE', `/sessions/${s.id}`);
      assert.equal(again.status, 404, again.text);
      assert.equal(api.cp.ledger.size, size + 1);

      // An admin may say why; the client is told that reason.
      const why = await api.call(api.adminToken, 'DELETE', `/sessions/${other.id}?reason=${encodeURIComponent('maintenance window: reconnect at 10:00')}`);
      assert.equal(why.status, 200, why.text);
      assert.deepEqual(other.terminated, ['maintenance window: reconnect at 10:00']);
      assert.equal((await lastEntry()).target.name, 'kim@crm');
    });

    it('refuses a reason the wire cannot carry, and terminates nothing', async () => {
      const s = open('kim', 'crm');
      try {
        const size = api.cp.ledger.size;
        for (const reason of ['bad\u0000reason', 'line\nbreak', '', 'x'.repeat(201)]) {
          const r = await api.call(api.adminToken, 'DELETE', `/sessions/${s.id}?reason=${encodeURIComponent(reason)}`);
          assert.equal(r.status, 400, `${JSON.stringify(reason)}: ${r.text}`);
        }
        assert.equal((await api.call(api.adminToken, 'DELETE', `/sessions/${s.id}?force=1`)).status, 400, 'unknown query fields are refused');
        assert.deepEqual(s.terminated, []);
        assert.equal(api.cp.ledger.size, size);
      } finally {
        api.sessions.remove(s.id);
      }
    });

    it('a session that ended between the lookup and the termination is reported as a failed change', async () => {
      const s = open('kim', 'crm');
      // The gateway removes a session when its client leaves; here it leaves just as the
      // admin's request is being recorded.
      const stop = api.cp.ledger.size;
      const gone = api.sessions.remove.bind(api.sessions, s.id);
      const original = api.cp.record.bind(api.cp);
      api.cp.record = (...args) => {
        gone();
        return original(...args);
      };
      try {
        const r = await api.call(api.adminToken, 'DELETE', `/sessions/${s.id}`);
        assert.equal(r.status, 404, r.text);
      } finally {
        api.cp.record = original;
      }
      assert.deepEqual(s.terminated, []);
      const page = (await api.call(api.adminToken, 'GET', `/ledger/entries?from=${stop}`)).body.entries;
      assert.deepEqual(page.map((e: { entry: { action: string } }) => e.entry.action), ['admin.session.terminate', 'admin.session.terminate_failed']);
    });

    it('disabling or deleting an account ends its live sessions at once, and only its own', async () => {
      const mel1 = open('mel', 'crm');
      const mel2 = open('mel', 'sales');
      const kims = open('kim', 'crm');
      const etls = open('etl', 'warehouse');
      const temps = open('temp', 'crm');

      // A change that leaves the account active ends nothing.
      assert.equal((await api.call(api.adminToken, 'PATCH', '/users/mel', { display_name: 'Mel M.' })).status, 200);
      await api.liveChanges.settled();
      assert.deepEqual(mel1.terminated, []);

      const r = await api.call(api.adminToken, 'PATCH', '/users/mel', { status: 'disabled' });
      assert.equal(r.status, 200, r.text);
      await api.liveChanges.settled();
      assert.deepEqual(mel1.terminated, ['the account was disabled']);
      assert.deepEqual(mel2.terminated, ['the account was disabled']);
      assert.deepEqual(kims.terminated, [], "another user's session lives on");
      assert.deepEqual(ids(api.sessions.list()), [kims.id, etls.id, temps.id]);

      assert.equal((await api.call(api.adminToken, 'DELETE', '/users/etl')).status, 204);
      await api.liveChanges.settled();
      assert.deepEqual(etls.terminated, ['the account was deleted']);

      // An expiry set in the past makes the account expired: its sessions end too.
      const expired = await api.call(api.adminToken, 'PATCH', '/users/temp', { expires_at: '2026-01-01T00:00:00Z' });
      assert.equal(expired.body.status, 'expired');
      await api.liveChanges.settled();
      assert.deepEqual(temps.terminated, ['the account has expired']);

      assert.deepEqual(kims.terminated, []);
      assert.deepEqual(ids(api.sessions.list()), [kims.id]);
      // The disabled member's token no longer works either.
      assert.equal((await api.call(mel, 'GET', '/sessions')).status, 401);
      api.sessions.remove(kims.id);
    });

    it('the OpenAPI document describes the session routes and their responses', async () => {
      const doc = (await api.call(null, 'GET', '/openapi.json')).body;
      const list = doc.paths['/api/v1/sessions'].get;
      const one = doc.paths['/api/v1/sessions/{id}'];
      assert.equal(list['x-gatehouse-access'], 'any');
      assert.equal(one.get['x-gatehouse-access'], 'any');
      assert.equal(one.delete['x-gatehouse-access'], 'admin');
      assert.deepEqual(one.delete.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`), ['path:id', 'query:reason']);
      const schema = list.responses['200'].content['application/json'].schema;
      assert.equal(schema.type, 'array');
      const sample = open('kim', 'x');
      api.sessions.remove(sample.id);
      assert.deepEqual([...schema.items.required].sort(), Object.keys(sample.info()).sort());
      assert.deepEqual(schema.items.properties.state.enum, ['authenticating', 'idle', 'active', 'in_transaction', 'failed_transaction']);
      assert.equal(one.get.responses['200'].content['application/json'].schema.properties.principal.properties.kind.enum.length, 2);
    });
  });
}
