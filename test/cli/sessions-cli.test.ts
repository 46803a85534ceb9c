import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gatehouseAsync, type CliResult } from '../support/cli.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { TestSession } from '../support/sessions.js';
import type { Principal } from '../../src/identity/model.js';

/**
 * `gatehouse sessions …` against the real admin API on loopback, in this process, with live
 * sessions registered as a gateway registers them.
 */
describe('gatehouse sessions (CLI)', () => {
  let api: TestApi;
  let member: string;
  let auditor: string;
  const who: Record<string, Principal> = {};

  const cli = (args: string[], token = api.adminToken): Promise<CliResult> =>
    gatehouseAsync(args, { GATEHOUSE_URL: api.url, GATEHOUSE_TOKEN: token });
  const ok = async (args: string[], token?: string): Promise<string> => {
    const r = await cli(args, token);
    assert.equal(r.status, 0, `gatehouse ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    return r.stdout;
  };
  const fails = async (args: string[], token?: string): Promise<string> => {
    const r = await cli(args, token);
    assert.equal(r.status, 2, `gatehouse ${args.join(' ')} should fail: ${r.stdout}`);
    assert.equal(r.stdout, '');
    return r.stderr;
  };

  before(async () => {
    api = await startTestApi('sqlite');
    member = await api.principal('mel', 'member');
    auditor = await api.principal('audrey', 'auditor');
    await api.principal('etl', 'member', { kind: 'service' });
    for (const name of ['root', 'mel', 'etl']) who[name] = (await api.cp.identity.principal(name, api.cp.now()))!;
  });
  after(async () => api.close());

  it('lists nothing when nothing is live', async () => {
    assert.equal(await ok(['sessions', 'list']), '(no live sessions)\n');
    assert.deepEqual(JSON.parse(await ok(['sessions', 'list', '--json'])), []);
  });

  it('lists, shows and terminates sessions; members see their own and terminate none', async () => {
    const a = new TestSession(api.sessions, who.mel!, 'crm', new Date('2026-06-01T08:00:00Z'), { client: { address: '::1', port: 50123 } });
    const b = new TestSession(api.sessions, who.etl!, 'warehouse', new Date('2026-06-01T08:30:00Z'), {
      application: 'nightly\u001b[31mload',
      state: 'active',
    });
    a.statement(true, new Date('2026-06-01T08:05:00Z'));
    a.statement(false, new Date('2026-06-01T08:06:00Z'));

    const table = (await ok(['sessions', 'list'])).split('\n');
    assert.match(table[0]!, /^ID\s+USER\s+CONNECTION\s+CLIENT\s+APPLICATION\s+STATE\s+STARTED\s+STATEMENTS\s+DENIED$/);
    assert.match(table[1]!, new RegExp(`^${a.id}\\s+mel\\s+crm\\s+\\[::1\\]:50123\\s+psql\\s+idle\\s+2026-06-01 08:00Z\\s+2\\s+1$`));
    // What a client chose to call itself reaches the terminal with its control characters escaped.
    assert.match(table[2]!, new RegExp(`^${b.id}\\s+etl\\s+warehouse\\s+127\\.0\\.0\\.1:\\d+\\s+nightly\\\\u001b\\[31mload\\s+active\\s+2026-06-01 08:30Z\\s+0\\s+0$`));
    assert.equal(table.length, 4);
    const listed = JSON.parse(await ok(['sessions', 'list', '--json']));
    assert.deepEqual(listed, [a.info(), b.info()]);

    const shown = await ok(['sessions', 'show', a.id]);
    assert.match(shown, new RegExp(`^id:\\s+${a.id}$`, 'm'));
    assert.match(shown, /^user:\s+mel \(user\)$/m);
    assert.match(shown, /^client:\s+\[::1\]:50123$/m);
    assert.match(shown, /^tls:\s+yes$/m);
    assert.match(shown, /^last activity:\s+2026-06-01T08:06:00.000Z$/m);
    assert.match(shown, /^denied:\s+1$/m);
    assert.match(await ok(['sessions', 'show', b.id]), /^user:\s+etl \(service account\)$/m);
    assert.deepEqual(JSON.parse(await ok(['sessions', 'show', a.id, '--json'])), a.info());

    // A member sees only their own, and cannot end even that.
    assert.deepEqual(JSON.parse(await ok(['sessions', 'list', '--json'], member)).map((s: { id: string }) => s.id), [a.id]);
    assert.match(await fails(['sessions', 'show', b.id], member), new RegExp(`^gatehouse: there is no live session "${b.id}"\\n$`));
    assert.match(await fails(['sessions', 'terminate', a.id], member), /^gatehouse: forbidden: only admins may terminate a live session\n$/);
    assert.match(await fails(['sessions', 'terminate', a.id], auditor), /forbidden/);
    assert.deepEqual(a.terminated, []);

    assert.equal(
      await ok(['sessions', 'terminate', a.id, '--reason', 'maintenance: reconnect after 10:00 UTC']),
      `terminated session ${a.id} (mel on crm, from [::1]:50123)\n`,
    );
    assert.deepEqual(a.terminated, ['maintenance: reconnect after 10:00 UTC']);
    const killed = JSON.parse(await ok(['sessions', 'kill', b.id, '--json']));
    assert.equal(killed.id, b.id);
    assert.deepEqual(b.terminated, ['the session was terminated by an administrator']);
    assert.equal(await ok(['sessions', 'list']), '(no live sessions)\n');

    assert.match(await fails(['sessions', 'terminate', a.id]), new RegExp(`^gatehouse: there is no live session "${a.id}"\\n$`));
    assert.match(await fails(['sessions', 'terminate', 'ses_x', '--reason', 'two\nlines']), /reason: no control characters/);
    assert.match(await fails(['sessions', 'show']), /missing required argument 'id'/);
  });
});
