import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayUrl, outcomeText, shellWord } from './banner.js';

describe('demo banner', () => {
  it('quotes shell words only when needed, and safely', () => {
    assert.equal(shellWord('/tmp/gatehouse-demo-x1/data'), '/tmp/gatehouse-demo-x1/data');
    assert.equal(shellWord('/tmp/my demo'), "'/tmp/my demo'");
    assert.equal(shellWord("it's"), `'it'\\''s'`);
  });

  it('builds the gateway URL with the connection as the database, IPv6 in brackets, the password URL-encoded', () => {
    const seed = { connection: 'shop' } as Parameters<typeof gatewayUrl>[0]['seed'];
    assert.equal(gatewayUrl({ gateway: { host: '127.0.0.1', port: 15432 }, seed }, 'alice', 'demo-abc_DEF-123'), 'postgres://alice:demo-abc_DEF-123@127.0.0.1:15432/shop');
    assert.equal(gatewayUrl({ gateway: { host: '::1', port: 5 }, seed }, 'bob', 'a@b/c'), 'postgres://bob:a%40b%2Fc@[::1]:5/shop');
  });

  it('shows rows of an allowed statement and the SQLSTATE of a denied one', () => {
    const ok = outcomeText('allowed', { ok: true, sql: 'SELECT 1', rows: [{ name: 'Ada', email: 'ada@example.com' }] });
    assert.equal(ok, 'allowed: SELECT 1\n  -> 1 row\n  Ada | ada@example.com\n');
    const no = outcomeText('denied', { ok: false, sql: 'UPDATE t SET x = 1', code: '42501', message: 'write on public.t is not granted to alice' });
    assert.equal(no, 'denied: UPDATE t SET x = 1\n  -> ERROR 42501: write on public.t is not granted to alice\n');
  });
});
