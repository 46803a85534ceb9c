import { evaluate, explainDecision, effectivePrivileges, type EffectiveAccess } from '../policy/index.js';
import type { Decision, EvaluateInput, PolicyConnection, PolicyPrincipal } from '../policy/index.js';
import { classify, initSql } from '../sql/index.js';
import type { Principal } from '../identity/model.js';
import type { Connection } from '../connections/repo.js';
import type { ControlPlane } from './plane.js';
import { getPrincipal } from './principals.js';
import { getConnection } from './connections.js';

/**
 * Loads what one decision needs, fresh from the store: no cache outlives a change, so a
 * disabled user, a removed membership or a revoked grant counts from the next statement on.
 */
export async function policyPrincipal(cp: ControlPlane, principal: Principal): Promise<PolicyPrincipal> {
  const memberships = await cp.identity.membershipRows(principal.id);
  return {
    id: principal.id,
    name: principal.name,
    kind: principal.kind,
    status: principal.status,
    expiresAt: principal.expires_at,
    groups: memberships.map((m) => ({ groupId: m.groupId, groupName: m.groupName, expiresAt: m.expiresAt })),
  };
}

export function policyConnection(c: Connection): PolicyConnection {
  return { id: c.id, name: c.name, engine: c.engine, tags: c.tags };
}

/** Classifies `sql` for the connection's engine and decides it for the principal. */
export async function decide(
  cp: ControlPlane,
  principalName: string,
  connectionName: string,
  sql: string,
): Promise<{ decision: Decision; input: EvaluateInput; explanation: string }> {
  await initSql();
  const [principal, connection] = await Promise.all([getPrincipal(cp, principalName), getConnection(cp, connectionName)]);
  const who = await policyPrincipal(cp, principal);
  const input: EvaluateInput = {
    principal: who,
    connection: policyConnection(connection),
    // MySQL resolves unqualified names in the current database: the connection's.
    classification: classify(connection.engine, sql, { defaultSchema: connection.engine === 'mysql' ? connection.database : undefined }),
    grants: await cp.policy.policyGrants(who.groups.map((g) => g.groupId)),
    denyRules: await cp.policy.policyDenyRules(),
    now: cp.now(),
  };
  const decision = evaluate(input);
  return { decision, input, explanation: explainDecision(decision, input) };
}

/** What a principal (as policyPrincipal loads it) can do where, through which grants, now. */
export async function accessOf(cp: ControlPlane, who: PolicyPrincipal, connections: Connection[]): Promise<EffectiveAccess[]> {
  const grants = await cp.policy.policyGrants(who.groups.map((g) => g.groupId));
  return effectivePrivileges(who, connections.map(policyConnection), grants, cp.now());
}
