import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR, type ControlPlane } from '../control/plane.js';
import { createPrincipal, updatePrincipal } from '../control/principals.js';
import { addMember, createGroup } from '../control/groups.js';
import { createConnection, updateConnection } from '../control/connections.js';
import { createDenyRule, createGrant } from '../control/grants.js';
import { createToken, revokeToken } from '../control/tokens.js';
import {
  connectionCreate,
  denyRuleCreate,
  grantCreate,
  groupCreate,
  membershipAdd,
  parseInput,
  principalCreate,
  principalUpdate,
} from '../control/inputs.js';

/**
 * The demo's identities and policy, made through the control plane (as the system actor), so
 * that every one of them is an `admin.*` event in the ledger like any change an admin makes.
 *
 * Who may do what on the connection `shop` (tags env=demo):
 * - analysts (alice): read sales.*
 * - engineers (bob): read and write staging.*, read sales.*
 * - auditors (carol, role auditor): no database grant. An auditor's work is the ledger and the
 *   grants — the admin API's read role gives both — not the customers' personal data, so by
 *   least privilege the group holds nothing on the database; carol connecting through the
 *   gateway is denied like anyone without a grant. The group exists to say what carol is
 *   there for (and to be reviewed like any other).
 * - a deny rule on every env=demo connection: no DROP or TRUNCATE, whatever a grant says.
 * - hr.* is granted to nobody: salaries stay out of reach for all three.
 *
 * Seeding is idempotent: on a store seeded before (`gatehouse demo --data-dir`), what exists is
 * kept, what is missing is made, the connection is pointed at this run's upstream, and the
 * demo users get fresh passwords and tokens (the old demo tokens are revoked), all recorded.
 */
export const DEMO_CONNECTION = 'shop';
export const DEMO_ADMIN = 'admin';

export interface DemoUpstream {
  host: string;
  port: number;
  user: string;
  database: string;
}

export interface DemoSeed {
  connection: string;
  /** True when this call made the demo's identities and policy (a fresh store). */
  created: boolean;
  /** Demo-only passwords of the database users, fresh on every seed. */
  passwords: { alice: string; bob: string };
  /** An admin API token (principal `admin`). */
  adminToken: string;
  /** An auditor API token (principal `carol`). */
  auditorToken: string;
}

/** Statements the demo shows: one alice's grant allows, one it does not (SQLSTATE 42501). */
export const DEMO_STATEMENTS = {
  allowed: 'SELECT name, email FROM sales.customers ORDER BY id LIMIT 5',
  denied: "UPDATE sales.customers SET email = 'changed@example.com' WHERE id = 1",
} as const;

const PEOPLE = [
  { name: DEMO_ADMIN, role: 'admin', display_name: 'Demo administrator' },
  { name: 'alice', role: 'member', display_name: 'Alice (analyst)', email: 'alice@example.com' },
  { name: 'bob', role: 'member', display_name: 'Bob (engineer)', email: 'bob@example.com' },
  { name: 'carol', role: 'auditor', display_name: 'Carol (auditor)', email: 'carol@example.com' },
] as const;

const GROUPS = [
  { name: 'analysts', description: 'Sales analysis: read the sales data', members: ['alice'] },
  { name: 'engineers', description: 'Data engineering: load and clean staging data, read sales', members: ['bob'] },
  { name: 'auditors', description: 'Internal audit: review the ledger and the grants (API read role); no database access', members: ['carol'] },
] as const;

const GRANTS = [
  { group: 'analysts', privileges: ['read'], objects: ['sales.*'], reason: 'demo: analysts read the sales data' },
  { group: 'engineers', privileges: ['read', 'write'], objects: ['staging.*'], reason: 'demo: engineers load and clean staging data' },
  { group: 'engineers', privileges: ['read'], objects: ['sales.*'], reason: 'demo: engineers check staging against sales' },
] as const;

export const DEMO_DENY_RULE = 'demo-no-drop-truncate';

/** A demo-only password: random per seed, URL-safe so it fits in a postgres:// URL as is. */
export const demoPassword = () => `demo-${randomBytes(9).toString('base64url')}`;

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export async function seedDemo(cp: ControlPlane, upstream: DemoUpstream): Promise<DemoSeed> {
  const actor = SYSTEM_ACTOR;
  const now = () => cp.now();
  const created = !(await cp.connections.get(DEMO_CONNECTION));
  const passwords = { alice: demoPassword(), bob: demoPassword() };

  for (const person of PEOPLE) {
    const password = person.name === 'alice' || person.name === 'bob' ? passwords[person.name] : undefined;
    const existing = await cp.identity.principal(person.name, now());
    if (!existing) {
      await createPrincipal(cp, actor, parseInput(principalCreate, { ...person, ...(password ? { password } : {}) }));
    } else if (password) {
      await updatePrincipal(cp, actor, person.name, parseInput(principalUpdate, { password }));
    }
  }

  for (const group of GROUPS) {
    if (!(await cp.identity.group(group.name))) {
      await createGroup(cp, actor, parseInput(groupCreate, { name: group.name, description: group.description, owner: DEMO_ADMIN }));
    }
    const { id } = (await cp.identity.group(group.name))!;
    for (const member of group.members) {
      const principal = (await cp.identity.principal(member, now()))!;
      if ((await cp.identity.memberships(now(), { groupId: id, principalId: principal.id })).length === 0) {
        await addMember(cp, actor, group.name, parseInput(membershipAdd, { principal: member }));
      }
    }
  }

  // The upstream's port changes on every run (PGlite lives in memory, on a free port).
  const target = { host: upstream.host, port: upstream.port, database: upstream.database, username: upstream.user };
  const connection = await cp.connections.get(DEMO_CONNECTION);
  if (!connection) {
    await createConnection(
      cp,
      actor,
      // No password and no TLS: the embedded upstream asks for neither (see pglite-upstream.ts).
      parseInput(connectionCreate, { name: DEMO_CONNECTION, engine: 'postgres', ...target, tls_mode: 'disable', tags: { env: 'demo' } }),
    );
  } else if (Object.entries(target).some(([k, v]) => connection[k as keyof typeof target] !== v)) {
    await updateConnection(cp, actor, DEMO_CONNECTION, target);
  }

  for (const grant of GRANTS) {
    const group = (await cp.identity.group(grant.group))!;
    const existing = await cp.policy.grants({ groupIds: [group.id] });
    const on = { connection: DEMO_CONNECTION };
    const found = existing.some(
      (g) => (g.on as { connection?: string }).connection === DEMO_CONNECTION && sameSet(g.privileges, grant.privileges) && sameSet(g.objects, grant.objects),
    );
    if (!found) await createGrant(cp, actor, parseInput(grantCreate, { ...grant, on }));
  }

  if (!(await cp.policy.denyRules()).some((r) => r.name === DEMO_DENY_RULE)) {
    await createDenyRule(
      cp,
      actor,
      parseInput(denyRuleCreate, {
        name: DEMO_DENY_RULE,
        on: { tags: { env: 'demo' } },
        match: { kind: 'drop_truncate' },
        reason: 'the demo data stays: no DROP or TRUNCATE on env=demo connections',
      }),
    );
  }

  return { connection: DEMO_CONNECTION, created, passwords, adminToken: await freshToken(cp, DEMO_ADMIN), auditorToken: await freshToken(cp, 'carol') };
}

/** A new token named `demo` for the principal; earlier live `demo` tokens are revoked. */
async function freshToken(cp: ControlPlane, principal: string): Promise<string> {
  const { id } = (await cp.identity.principal(principal, cp.now()))!;
  for (const old of await cp.identity.tokens(cp.now(), { principalId: id })) {
    if (old.name === 'demo' && old.state === 'active') await revokeToken(cp, SYSTEM_ACTOR, old.id);
  }
  return (await createToken(cp, SYSTEM_ACTOR, { name: 'demo', principal })).token;
}
