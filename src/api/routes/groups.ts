import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { groupCreate, groupUpdate, membershipAdd } from '../../control/inputs.js';
import { addMember, createGroup, deleteGroup, getGroup, removeMember, updateGroup } from '../../control/groups.js';
import { forbidden, routeAdder, type AnyRoute } from '../route.js';

export function groupRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'GET',
    url: '/groups',
    summary: 'List groups',
    tag: 'groups',
    access: 'any',
    handler: async ({ cp, principal }) => {
      const groups = await cp.identity.groups();
      if (principal.role !== 'member') return groups;
      const mine = new Set((await cp.identity.memberships(cp.now(), { principalId: principal.id })).map((m) => m.group));
      return groups.filter((g) => mine.has(g.name));
    },
  });
  add({
    method: 'GET',
    url: '/groups/:name',
    summary: 'Show a group and its members',
    tag: 'groups',
    access: 'any',
    handler: async ({ cp, principal, params }) => {
      const { owner_id: _o, ...group } = await getGroup(cp, params.name!);
      const members = await cp.identity.memberships(cp.now(), { groupId: group.id });
      if (principal.role === 'member' && !members.some((m) => m.principal === principal.name)) {
        throw forbidden('members see only their own groups');
      }
      return { ...group, members };
    },
  });
  add({
    method: 'POST',
    url: '/groups',
    summary: 'Create a group',
    tag: 'groups',
    access: 'admin',
    body: groupCreate,
    status: 201,
    handler: ({ cp, actor, body }) => createGroup(cp, actor, body!),
  });
  add({
    method: 'PATCH',
    url: '/groups/:name',
    summary: 'Update a group',
    tag: 'groups',
    access: 'admin',
    body: groupUpdate,
    handler: ({ cp, actor, body, params }) => updateGroup(cp, actor, params.name!, body!),
  });
  add({
    method: 'DELETE',
    url: '/groups/:name',
    summary: 'Delete a group',
    tag: 'groups',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => deleteGroup(cp, actor, params.name!),
  });
  add({
    method: 'POST',
    url: '/groups/:name/members',
    summary: 'Add a member to a group',
    tag: 'groups',
    access: 'admin',
    body: membershipAdd,
    status: 201,
    handler: ({ cp, actor, body, params }) => addMember(cp, actor, params.name!, body!),
  });
  add({
    method: 'DELETE',
    url: '/groups/:name/members/:principal',
    summary: 'Remove a member from a group',
    tag: 'groups',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => removeMember(cp, actor, params.name!, params.principal!),
  });
}
