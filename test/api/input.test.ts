import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FailureThrottle } from '../../src/api/throttle.js';

/** Bad input gets a 4xx problem document and changes nothing: no row, no ledger entry. */
for (const kind of STORE_KINDS) {
  describe(`admin API input handling on ${kind}`, () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(kind, { throttle: new FailureThrottle(5, 60_000) });
    });
    after(async () => api.close());

    const refused = async (method: string, path: string, body: unknown, status: number, detail: RegExp) => {
      const size = api.cp.ledger.size;
      const users = (await api.call(api.adminToken, 'GET', '/users')).body.length;
      const r = await api.call(api.adminToken, method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${String(JSON.stringify(body)).slice(0, 80)}: ${r.text}`);
      assert.match(r.type, /application\/problem\+json/);
      assert.match(r.body.detail, detail);
      assert.equal(api.cp.ledger.size, size, 'no ledger entry');
      assert.equal((await api.call(api.adminToken, 'GET', '/users')).body.length, users, 'no new user');
      return r.body;
    };

    it('refuses unknown fields, wrong types and missing fields, naming each', async () => {
      await refused('POST', '/users', { name: 'bob', admin: true }, 400, /Unrecognized key: "admin"/);
      await refused('POST', '/users', { name: 42 }, 400, /name/);
      const p = await refused('POST', '/connections', { name: 'c1', engine: 'oracle', host: 'h', port: 'x' }, 400, /engine/);
      assert.deepEqual(p.errors.map((e: { path: string }) => e.path).sort(), ['database', 'engine', 'port', 'username']);
      await refused('POST', '/users', { name: 'bob', password: 'short' }, 400, /password/);
      await refused('POST', '/users', { name: 'svc', kind: 'service', email: 'a@b.c' }, 400, /service accounts have no email/);
    });

    it('refuses SQL-looking and odd names', async () => {
      for (const name of ["x'; DROP TABLE principals;--", 'Robert"); --', 'UPPER', '../etc', '', 'a'.repeat(64), 'ok name']) {
        await refused('POST', '/users', { name }, 400, /name/);
      }
      await refused('POST', '/groups', { name: 'g;delete', description: 'x' }, 400, /name/);
    });

    it('refuses bad grants and deny rules with the policy engine’s reasons', async () => {
      await api.call(api.adminToken, 'POST', '/groups', { name: 'g1', description: 'test group' });
      await refused('POST', '/grants', { group: 'g1', on: { connection: 'c' }, privileges: ['fly'] }, 400, /privileges/);
      await refused('POST', '/grants', { group: 'g1', on: { connection: 'c' }, privileges: ['read'], objects: ['sales'] }, 400, /objects/);
      await refused('POST', '/grants', { group: 'g1', on: { tags: {} }, privileges: ['read'] }, 400, /tag/);
      await refused('POST', '/grants', { group: 'g1', on: { connection: 'c' }, privileges: ['read'], expires_at: '2020-01-01T00:00:00Z' }, 400, /expir|future/);
      await refused('POST', '/grants', { group: 'nope', on: { connection: 'c' }, privileges: ['read'] }, 404, /no group named "nope"/);
      await refused('POST', '/deny-rules', { name: 'd', on: { connection: 'c' }, match: { kind: 'flags', flags: ['not_a_flag'] } }, 400, /flag/);
    });

    it('refuses malformed JSON, a wrong content type and huge bodies', async () => {
      await refused('POST', '/users', '{"name": "bob",', 400, /JSON/i);
      await refused('POST', '/users', { name: 'x'.repeat(70 * 1024) }, 413, /body/i);
      const r = await fetch(`${api.url}/users`, { method: 'POST', headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'text/plain' }, body: 'name=bob' });
      assert.equal(r.status, 415);
    });

    it('conflicts and missing things are 409 and 404', async () => {
      await api.call(api.adminToken, 'POST', '/users', { name: 'carol' });
      await refused('POST', '/users', { name: 'carol' }, 409, /already exists/);
      await refused('PATCH', '/users/nobody', { role: 'auditor' }, 404, /no user or service account named "nobody"/);
      await refused('DELETE', '/users/root', undefined, 400, /cannot delete yourself/);
      await refused('PATCH', '/users/root', { status: 'disabled' }, 400, /cannot disable yourself/);
    });

    it('a connection update changes only what it names; a named connection cannot be deleted', async () => {
      const admin = api.adminToken;
      await api.call(admin, 'POST', '/connections', { name: 'wh', engine: 'postgres', host: 'h', database: 'd', username: 'u', password: 'p1', tls_mode: 'require', tags: { env: 'prod' } });
      const patched = await api.call(admin, 'PATCH', '/connections/wh', { password: 'p2' });
      assert.deepEqual([patched.body.tags, patched.body.tls_mode, patched.body.has_password], [{ env: 'prod' }, 'require', true]);
      const cleared = await api.call(admin, 'PATCH', '/connections/wh', { password: null });
      assert.equal(cleared.body.has_password, false);
      await api.call(admin, 'POST', '/groups', { name: 'whg', description: 'warehouse readers' });
      const grant = await api.call(admin, 'POST', '/grants', { group: 'whg', on: { connection: 'wh' }, privileges: ['read'] });
      await refused('DELETE', '/connections/wh', undefined, 409, new RegExp(`named by grant ${grant.body.id}`));
      await api.call(admin, 'DELETE', `/grants/${grant.body.id}`);
      assert.equal((await api.call(admin, 'DELETE', '/connections/wh')).status, 204);
    });

    it('expired and revoked tokens are refused like unknown ones', async () => {
      const created = await api.call(api.adminToken, 'POST', '/tokens', { name: 'short', expires_at: new Date(api.clock.current.getTime() + 60_000).toISOString() });
      assert.equal((await api.call(created.body.token, 'GET', '/me')).status, 200);
      api.clock.advance(60_000);
      const expired = await api.call(created.body.token, 'GET', '/me');
      assert.equal(expired.status, 401);
      assert.equal(expired.body.detail, 'the token is not valid');
    });

    it('throttles an address after repeated authentication failures', async () => {
      let last = 0;
      for (let i = 0; i < 7; i++) last = (await api.call(`ghk_${'B'.repeat(43)}`, 'GET', '/me')).status;
      assert.equal(last, 429);
      const r = await fetch(`${api.url}/me`, { headers: { authorization: `Bearer ${api.adminToken}` } });
      assert.equal(r.status, 429, 'even a good token waits out the window');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    });
  });
}
