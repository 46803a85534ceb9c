import type { z } from 'zod';
import { newId, type Group, type Membership } from '../identity/model.js';
import type { Actor, ControlPlane } from './plane.js';
import { conflict, notFound } from './errors.js';
import { getPrincipal } from './principals.js';
import type { groupCreate, groupUpdate, membershipAdd } from './inputs.js';

export async function getGroup(cp: ControlPlane, name: string) {
  const group = await cp.identity.group(name);
  if (!group) throw notFound('group', name);
  return group;
}

const shown = ({ owner_id: _owner, ...g }: Group & { owner_id?: string | null }): Group => g;
const recorded = (g: Group) => ({ name: g.name, description: g.description, owner: g.owner });

export async function createGroup(cp: ControlPlane, actor: Actor, input: z.output<typeof groupCreate>): Promise<Group> {
  if (await cp.identity.group(input.name)) throw conflict('group', input.name);
  const owner = input.owner ? await getPrincipal(cp, input.owner) : undefined;
  const now = cp.now().toISOString();
  const row = { id: newId('grp'), name: input.name, description: input.description, owner_id: owner?.id ?? null, created_at: now, updated_at: now };
  const target = { type: 'group' as const, id: row.id, name: row.name };
  const after = { name: row.name, description: row.description, owner: owner?.name ?? null };
  return cp.audited(actor, 'admin.group.create', target, { after }, async () => {
    await cp.identity.insertGroup(row);
    return shown(await getGroup(cp, row.name));
  });
}

export async function updateGroup(cp: ControlPlane, actor: Actor, name: string, input: z.output<typeof groupUpdate>) {
  const before = await getGroup(cp, name);
  const owner = input.owner == null ? input.owner : await getPrincipal(cp, input.owner);
  const changes = {
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(owner !== undefined ? { owner_id: owner?.id ?? null } : {}),
    updated_at: cp.now().toISOString(),
  };
  const after = { ...recorded(before), ...input };
  const target = { type: 'group' as const, id: before.id, name };
  return cp.audited(actor, 'admin.group.update', target, { before: recorded(before), after }, async () => {
    await cp.identity.updateGroup(before.id, changes);
    return shown(await getGroup(cp, name));
  });
}

export async function deleteGroup(cp: ControlPlane, actor: Actor, name: string): Promise<void> {
  const before = await getGroup(cp, name);
  const members = await cp.identity.memberships(cp.now(), { groupId: before.id });
  const target = { type: 'group' as const, id: before.id, name };
  const change = { before: { ...recorded(before), members: members.map((m) => m.principal) } };
  await cp.audited(actor, 'admin.group.delete', target, change, () => cp.identity.deleteGroup(before.id));
}

/** Adds a member, or changes the expiry of an existing membership. Takes effect at once. */
export async function addMember(
  cp: ControlPlane,
  actor: Actor,
  groupName: string,
  input: z.output<typeof membershipAdd>,
): Promise<Membership> {
  const group = await getGroup(cp, groupName);
  const principal = await getPrincipal(cp, input.principal);
  const existing = (await cp.identity.memberships(cp.now(), { groupId: group.id, principalId: principal.id }))[0];
  const target = { type: 'membership' as const, id: `${group.id}/${principal.id}`, name: `${group.name}/${principal.name}` };
  const after = { group: group.name, principal: principal.name, expires_at: input.expires_at ?? null };
  const before = existing && { group: group.name, principal: principal.name, expires_at: existing.expires_at };
  return cp.audited(actor, 'admin.membership.add', target, { before, after }, async () => {
    await cp.identity.upsertMembership({
      group_id: group.id,
      principal_id: principal.id,
      expires_at: input.expires_at ?? null,
      created_at: cp.now().toISOString(),
    });
    return (await cp.identity.memberships(cp.now(), { groupId: group.id, principalId: principal.id }))[0]!;
  });
}

export async function removeMember(cp: ControlPlane, actor: Actor, groupName: string, principalName: string) {
  const group = await getGroup(cp, groupName);
  const principal = await getPrincipal(cp, principalName);
  const existing = (await cp.identity.memberships(cp.now(), { groupId: group.id, principalId: principal.id }))[0];
  if (!existing) throw notFound('membership', `${groupName}/${principalName}`);
  const target = { type: 'membership' as const, id: `${group.id}/${principal.id}`, name: `${group.name}/${principal.name}` };
  const before = { group: group.name, principal: principal.name, expires_at: existing.expires_at };
  await cp.audited(actor, 'admin.membership.remove', target, { before }, () =>
    cp.identity.deleteMembership(group.id, principal.id),
  );
}
