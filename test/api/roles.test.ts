import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../support/stores.js';
import { startTestApi, type TestApi } from '../support/api.js';

/**
 * Role enforcement on every route of the OpenAPI document: the test walks the document, so a
 * new route is covered the day it is added. Refused calls must change nothing (ledger size).
 */
for (const kind of STORE_KINDS) {
  describe(`admin API roles on ${kind}`, () => {
    let api: TestApi;
    let auditor: string;
    let member: string;
    /** Every operation in the document, and those that need a token. */
    let operations: [string, string, string][];
    let paths: [string, string, string][];

    before(async () => {
      api = await startTestApi(kind);
      auditor = await api.principal('audrey', 'auditor');
      member = await api.principal('mel', 'member');
      const doc = (await api.call(null, 'GET', '/openapi.json')).body;
      operations = Object.entries(doc.paths as Record<string, Record<string, { 'x-gatehouse-access': string }>>).flatMap(
        ([path, ops]) => Object.entries(ops).map(([method, op]) => [method.toUpperCase(), path, op['x-gatehouse-access']] as [string, string, string]),
      );
      paths = operations.filter(([, , access]) => access !== 'public');
    });
    after(async () => api.close());

    const concrete = (path: string) =>
      path.replace('/api/v1', '').replace('{name}', 'mel').replace('{principal}', 'mel').replace('{id}', 'x');

    it('the document is OpenAPI 3.1 and lists every resource', async () => {
      const doc = (await api.call(null, 'GET', '/openapi.json')).body;
      assert.equal(doc.openapi, '3.1.0');
      for (const p of ['/api/v1/users', '/api/v1/groups', '/api/v1/connections', '/api/v1/grants', '/api/v1/deny-rules', '/api/v1/tokens', '/api/v1/inventory', '/api/v1/policy/check', '/api/v1/ledger/entries']) {
        assert.ok(doc.paths[p], p);
      }
      assert.ok(paths.length >= 30, `${paths.length} operations`);
    });

    it('documents the public operations (health, this document) as needing no token, and they answer without one', async () => {
      const doc = (await api.call(null, 'GET', '/openapi.json')).body;
      const publicOps = operations.filter(([, , access]) => access === 'public');
      assert.deepEqual(publicOps.map(([method, path]) => `${method} ${path}`).sort(), ['GET /api/v1/health', 'GET /api/v1/openapi.json']);
      for (const [method, path] of publicOps) {
        assert.deepEqual(doc.paths[path].get.security, [], `${path}: security [] lifts the document's bearer requirement`);
        const r = await api.call(null, method, concrete(path));
        assert.equal(r.status, 200, `${method} ${path} without a token`);
      }
      const health = await api.call(null, 'GET', '/health');
      assert.deepEqual(Object.keys(health.body).sort(), Object.keys(doc.paths['/api/v1/health'].get.responses['200'].content['application/json'].schema.properties).sort());
      assert.deepEqual(doc.security, [{ bearer: [] }], 'every other operation needs the bearer token');
    });

    it('every route refuses a missing or bad token with 401 problem+json', async () => {
      for (const [method, path] of paths) {
        for (const token of [null, 'ghk_' + 'A'.repeat(43)]) {
          const r = await api.call(token, method, concrete(path), method === 'GET' || method === 'DELETE' ? undefined : {});
          assert.equal(r.status, 401, `${method} ${path}`);
          assert.match(r.type, /application\/problem\+json/);
        }
      }
    });

    it('auditors read everything and write nothing; members are refused admin and read-only routes', async () => {
      const size = api.cp.ledger.size;
      for (const [method, path, access] of paths) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        if (access === 'admin') {
          for (const [who, token] of [['auditor', auditor], ['member', member]] as const) {
            const r = await api.call(token, method, concrete(path), body);
            assert.equal(r.status, 403, `${who} ${method} ${path}: ${r.text}`);
            assert.match(r.body.detail, /only admins may/);
          }
        }
        if (access === 'read') {
          const r = await api.call(member, method, concrete(path), body);
          assert.equal(r.status, 403, `member ${method} ${path}`);
          if (method === 'GET') {
            const ok = await api.call(auditor, method, concrete(path).replace('/x', '/none'));
            assert.ok([200, 400, 404].includes(ok.status), `auditor ${method} ${path}: ${ok.status}`);
          }
        }
      }
      assert.equal(api.cp.ledger.size, size, 'refused calls record nothing and change nothing');
    });

    it('a member sees itself, its groups and their grants, and nobody else', async () => {
      const admin = api.adminToken;
      await api.call(admin, 'POST', '/groups', { name: 'sales', description: 'sales analysts' });
      await api.call(admin, 'POST', '/groups', { name: 'ops', description: 'operators' });
      await api.call(admin, 'POST', '/groups/sales/members', { principal: 'mel' });
      const mine = await api.call(admin, 'POST', '/grants', { group: 'sales', on: { connection: 'crm' }, privileges: ['read'] });
      const theirs = await api.call(admin, 'POST', '/grants', { group: 'ops', on: { connection: 'crm' }, privileges: ['admin'] });
      assert.equal(mine.status, 201, mine.text);

      const users = await api.call(member, 'GET', '/users');
      assert.deepEqual(users.body.map((u: { name: string }) => u.name), ['mel']);
      assert.equal((await api.call(member, 'GET', '/users/root')).status, 403);
      assert.deepEqual((await api.call(member, 'GET', '/groups')).body.map((g: { name: string }) => g.name), ['sales']);
      assert.equal((await api.call(member, 'GET', '/groups/ops')).status, 403);
      assert.deepEqual((await api.call(member, 'GET', '/grants')).body.map((g: { id: string }) => g.id), [mine.body.id]);
      assert.equal((await api.call(member, 'GET', `/grants/${theirs.body.id}`)).status, 403);
      assert.equal((await api.call(member, 'GET', '/inventory')).status, 403);
      const check = await api.call(member, 'POST', '/policy/check', { user: 'root', connection: 'crm', sql: 'select 1' });
      assert.equal(check.status, 403);
      // The auditor sees them all.
      assert.equal((await api.call(auditor, 'GET', '/grants')).body.length, 2);
      assert.ok((await api.call(auditor, 'GET', '/users')).body.length >= 3);
    });

    it('members manage their own tokens only', async () => {
      const own = await api.call(member, 'POST', '/tokens', { name: 'laptop' });
      assert.equal(own.status, 201, own.text);
      assert.match(own.body.token, /^ghk_/);
      assert.equal((await api.call(member, 'POST', '/tokens', { name: 'x', principal: 'root' })).status, 403);
      const listed = await api.call(member, 'GET', '/tokens');
      assert.ok(listed.body.every((t: { principal: string; token?: string }) => t.principal === 'mel' && t.token === undefined));
      const rootTokens = (await api.call(api.adminToken, 'GET', '/tokens')).body.filter((t: { principal: string }) => t.principal === 'root');
      assert.equal((await api.call(member, 'DELETE', `/tokens/${rootTokens[0].id}`)).status, 403);
      assert.equal((await api.call(member, 'DELETE', `/tokens/${own.body.id}`)).body.state, 'revoked');
      assert.equal((await api.call(own.body.token, 'GET', '/me')).status, 401);
    });
  });
}
