import { SYSTEM_ACTOR } from '../../src/control/plane.js';
import { createPrincipal } from '../../src/control/principals.js';
import { createGroup, addMember } from '../../src/control/groups.js';
import { createConnection } from '../../src/control/connections.js';
import { createGrant, createDenyRule } from '../../src/control/grants.js';
import { createToken } from '../../src/control/tokens.js';
import { connectionCreate, denyRuleCreate, grantCreate, groupCreate, membershipAdd, parseInput, principalCreate } from '../../src/control/inputs.js';
import type { TestApi } from './api.js';

export const PASSWORDS = { alice: 'alice-password-1', bob: 'bob-password-12', carol: 'carol-password-1' } as const;
export type TestUser = keyof typeof PASSWORDS;

export interface TestPolicy {
  /** A token of alice's (works as her database password too). */
  aliceToken: string;
  /** The id of each group's grant on the connection, to revoke it. */
  grants: { analysts: string; engineers: string };
}

/**
 * The policy every gateway test starts from, whatever the engine: a connection (tagged
 * env=test) and three users, alice (analysts: read on `objects`), bob (engineers: read and
 * write there) and carol (in no group), a guardrail against UPDATE/DELETE without WHERE,
 * and a token of alice's.
 */
export async function seedTestPolicy(
  api: TestApi,
  connection: { name: string; engine: 'postgres' | 'mysql'; host: string; port: number; database: string; username: string },
  objects: string,
): Promise<TestPolicy> {
  const { cp } = api;
  await createConnection(cp, SYSTEM_ACTOR, parseInput(connectionCreate, { ...connection, tls_mode: 'disable', tags: { env: 'test' } }));
  for (const name of ['alice', 'bob', 'carol'] as const) {
    await createPrincipal(cp, SYSTEM_ACTOR, parseInput(principalCreate, { name, role: 'member', email: `${name}@example.com`, password: PASSWORDS[name] }));
  }
  const grants: Record<string, string> = {};
  for (const [group, member, privileges] of [
    ['analysts', 'alice', ['read']],
    ['engineers', 'bob', ['read', 'write']],
  ] as const) {
    await createGroup(cp, SYSTEM_ACTOR, parseInput(groupCreate, { name: group, description: `${group} of the test` }));
    await addMember(cp, SYSTEM_ACTOR, group, parseInput(membershipAdd, { principal: member }));
    const grant = await createGrant(cp, SYSTEM_ACTOR, parseInput(grantCreate, { group, on: { connection: connection.name }, privileges: [...privileges], objects: [objects], reason: 'test' }));
    grants[group] = grant.id;
  }
  await createDenyRule(cp, SYSTEM_ACTOR, parseInput(denyRuleCreate, { name: 'no-unbounded-writes', on: { tags: { env: 'test' } }, match: { kind: 'no_where' } }));
  const aliceToken = (await createToken(cp, SYSTEM_ACTOR, { name: 'db-client', principal: 'alice' })).token;
  return { aliceToken, grants: { analysts: grants.analysts!, engineers: grants.engineers! } };
}

/** The ledger's events so far (after the pending ones are committed), optionally of one action. */
export async function ledgerEvents(api: TestApi, action?: string): Promise<any[]> {
  await api.cp.ledger.drain();
  const rows = await api.opened.repo.entries(0, 1_000_000);
  const all = rows.map((r) => JSON.parse(Buffer.from(r.entry).toString('utf8')));
  return action ? all.filter((e) => e.action === action) : all;
}
