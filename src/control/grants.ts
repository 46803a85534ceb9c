import type { z } from 'zod';
import { newId } from '../identity/model.js';
import type { Grant, DenyRule } from '../policy/repo.js';
import type { Privilege } from '../sql/types.js';
import type { Actor, ControlPlane } from './plane.js';
import { validateDenyRule, validateGrant, type ValidationProblem } from '../policy/index.js';
import { conflict, ControlError, notFound } from './errors.js';
import { getGroup } from './groups.js';
import type { denyRuleCreate, grantCreate } from './inputs.js';

const recorded = ({ id: _id, created_at: _c, ...g }: Grant | DenyRule) => g;

/** The policy engine's own checks (globs, selectors, expiry), as a 400 listing every problem. */
function refuseInvalid(problems: ValidationProblem[]): void {
  if (problems.length > 0) {
    throw new ControlError('invalid', problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '), problems);
  }
}

export async function getGrant(cp: ControlPlane, id: string): Promise<Grant> {
  const grant = (await cp.policy.grants({ id }))[0];
  if (!grant) throw new ControlError('not_found', `there is no grant with id "${id}"`);
  return grant;
}

export async function createGrant(cp: ControlPlane, actor: Actor, input: z.output<typeof grantCreate>): Promise<Grant> {
  const group = await getGroup(cp, input.group);
  refuseInvalid(validateGrant({ ...input, expiresAt: input.expires_at ?? null }, { now: cp.now() }));
  const privileges = [...new Set(input.privileges)] as Privilege[];
  const row = {
    id: newId('gnt'),
    group_id: group.id,
    on_selector: JSON.stringify(input.on),
    privileges: JSON.stringify(privileges),
    objects: JSON.stringify(input.objects),
    expires_at: input.expires_at ?? null,
    reason: input.reason ?? null,
    created_by: actor.name,
    created_at: cp.now().toISOString(),
  };
  const after = { group: group.name, on: input.on, privileges, objects: input.objects, expires_at: row.expires_at, reason: row.reason };
  return cp.audited(actor, 'admin.grant.create', { type: 'grant', id: row.id }, { after }, async () => {
    await cp.policy.insertGrant(row);
    return getGrant(cp, row.id);
  });
}

export async function deleteGrant(cp: ControlPlane, actor: Actor, id: string): Promise<void> {
  const before = await getGrant(cp, id);
  await cp.audited(actor, 'admin.grant.delete', { type: 'grant', id }, { before: recorded(before) }, () => cp.policy.deleteGrant(id));
}

export async function getDenyRule(cp: ControlPlane, name: string): Promise<DenyRule> {
  const rule = (await cp.policy.denyRules()).find((r) => r.name === name);
  if (!rule) throw notFound('deny rule', name);
  return rule;
}

export async function createDenyRule(cp: ControlPlane, actor: Actor, input: z.output<typeof denyRuleCreate>) {
  refuseInvalid(validateDenyRule(input));
  if ((await cp.policy.denyRules()).some((r) => r.name === input.name)) throw conflict('deny rule', input.name);
  const row = {
    id: newId('dny'),
    name: input.name,
    on_selector: JSON.stringify(input.on),
    match: JSON.stringify(input.match),
    reason: input.reason ?? null,
    created_by: actor.name,
    created_at: cp.now().toISOString(),
  };
  const after = { name: input.name, on: input.on, match: input.match, reason: row.reason };
  return cp.audited(actor, 'admin.deny_rule.create', { type: 'deny_rule', id: row.id, name: row.name }, { after }, async () => {
    await cp.policy.insertDenyRule(row);
    return getDenyRule(cp, input.name);
  });
}

export async function deleteDenyRule(cp: ControlPlane, actor: Actor, name: string): Promise<void> {
  const before = await getDenyRule(cp, name);
  const target = { type: 'deny_rule' as const, id: before.id, name };
  await cp.audited(actor, 'admin.deny_rule.delete', target, { before: recorded(before) }, () => cp.policy.deleteDenyRule(before.id));
}
