import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createGrant, deleteGrant } from '../../src/control/grants.js';
import { createConnection } from '../../src/control/connections.js';
import { createPrincipal } from '../../src/control/principals.js';
import { addMember, createGroup } from '../../src/control/groups.js';
import { connectionCreate, grantCreate, groupCreate, membershipAdd, parseInput, principalCreate } from '../../src/control/inputs.js';
import { initSql } from '../../src/sql/index.js';
import { SessionPolicy } from '../../src/gateway/session-policy.js';
import { startTestApi, type TestApi } from '../support/api.js';

// The policy a gateway session decides on, against a real store: how often it is read and
// when the decisions remembered by statement shape are kept or dropped.
let api: TestApi;
let userId: string;

before(async () => {
  await initSql();
  api = await startTestApi('sqlite');
  const { cp } = api;
  await createConnection(cp, SYSTEM_ACTOR, parseInput(connectionCreate, { name: 'db', engine: 'postgres', host: '127.0.0.1', port: 5432, database: 'd', username: 'u', tls_mode: 'disable' }));
  userId = (await createPrincipal(cp, SYSTEM_ACTOR, parseInput(principalCreate, { name: 'dana', role: 'member', password: 'dana-password-1' }))).id;
  await createGroup(cp, SYSTEM_ACTOR, parseInput(groupCreate, { name: 'readers', description: 'read the orders' }));
  await addMember(cp, SYSTEM_ACTOR, 'readers', parseInput(membershipAdd, { principal: 'dana' }));
});
after(() => api.close());

/** Counts the store reads of policy that happen while `run` runs (each load reads the deny rules once). */
async function countLoads(run: () => Promise<unknown>): Promise<number> {
  const policy = api.cp.policy;
  const original = policy.policyDenyRules;
  let loads = 0;
  policy.policyDenyRules = (...args) => (loads++, original.apply(policy, args));
  try {
    await run();
  } finally {
    policy.policyDenyRules = original;
  }
  return loads;
}

const SELECT = (n: number) => `SELECT * FROM public.orders WHERE id = ${n}`;

test('the sessions of one user on one connection share each read of the policy', async () => {
  const sessions = Array.from({ length: 8 }, () => new SessionPolicy(api.cp, userId, 'db', 'postgres'));
  assert.equal(await countLoads(() => Promise.all(sessions.map((s) => s.refresh()))), 1);
  assert.ok(sessions.every((s) => !s.stale));
  // Fresh data is shared with a session that starts later, too.
  const late = new SessionPolicy(api.cp, userId, 'db', 'postgres');
  assert.equal(await countLoads(() => late.refresh()), 0);
  // A change through the control plane makes every one of them stale at once; one read serves all again.
  const grant = await createGrant(api.cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'readers', on: { connection: 'db' }, privileges: ['read'] }));
  assert.ok([...sessions, late].every((s) => s.stale));
  assert.equal(await countLoads(() => Promise.all([...sessions, late].map((s) => s.refresh()))), 1);
  await deleteGrant(api.cp, SYSTEM_ACTOR, grant.id);
});

test('a revoked grant counts from the next statement, whatever was decided before', async () => {
  const grant = await createGrant(api.cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'readers', on: { connection: 'db' }, privileges: ['read'] }));
  const session = new SessionPolicy(api.cp, userId, 'db', 'postgres');
  await session.refresh();
  assert.equal(session.decide(SELECT(1)).decision.allow, true);
  await deleteGrant(api.cp, SYSTEM_ACTOR, grant.id);
  assert.equal(session.stale, true);
  await session.refresh();
  assert.equal(session.decide(SELECT(2)).decision.allow, false);
});

test('a reload that finds the same policy keeps the decisions; one made after an expiry passed does not', async () => {
  const expiresAt = new Date(api.clock.current.getTime() + 3_600_000).toISOString();
  const grant = await createGrant(api.cp, SYSTEM_ACTOR, parseInput(grantCreate, { group: 'readers', on: { connection: 'db' }, privileges: ['read'], expires_at: expiresAt }));
  // maxAgeMs 0: every refresh reads the store again.
  const session = new SessionPolicy(api.cp, userId, 'db', 'postgres', 0);
  await session.refresh();
  const first = session.decide(SELECT(1));
  assert.equal(first.decision.allow, true);
  await session.refresh();
  assert.equal(session.decide(SELECT(2)), first, 'the same policy: the decision for this shape is kept');

  api.clock.advance(2 * 3_600_000); // the grant has expired (its row is still there)
  await session.refresh();
  const later = session.decide(SELECT(3));
  assert.notEqual(later, first);
  assert.equal(later.decision.allow, false);
  await deleteGrant(api.cp, SYSTEM_ACTOR, grant.id);
});
