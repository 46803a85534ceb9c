import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { denyRuleCreate, grantCreate } from '../../control/inputs.js';
import { createDenyRule, createGrant, deleteDenyRule, deleteGrant, getDenyRule, getGrant } from '../../control/grants.js';
import { forbidden, routeAdder, type AnyRoute } from '../route.js';

export function grantRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  /** The groups a member belongs to (live or not): what a member may see grants of. */
  const groupsOf = async (principalId: string) =>
    new Set((await cp.identity.memberships(cp.now(), { principalId })).map((m) => m.group));

  add({
    method: 'GET',
    url: '/grants',
    summary: 'List grants',
    tag: 'grants',
    access: 'any',
    handler: async ({ cp, principal }) => {
      const grants = await cp.policy.grants();
      if (principal.role !== 'member') return grants;
      const mine = await groupsOf(principal.id);
      return grants.filter((g) => mine.has(g.group));
    },
  });
  add({
    method: 'GET',
    url: '/grants/:id',
    summary: 'Show a grant',
    tag: 'grants',
    access: 'any',
    handler: async ({ cp, principal, params }) => {
      const grant = await getGrant(cp, params.id!);
      if (principal.role === 'member' && !(await groupsOf(principal.id)).has(grant.group)) {
        throw forbidden('members see only the grants of their own groups');
      }
      return grant;
    },
  });
  add({
    method: 'POST',
    url: '/grants',
    summary: 'Create a grant',
    tag: 'grants',
    access: 'admin',
    body: grantCreate,
    status: 201,
    handler: ({ cp, actor, body }) => createGrant(cp, actor, body!),
  });
  add({
    method: 'DELETE',
    url: '/grants/:id',
    summary: 'Revoke a grant',
    tag: 'grants',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => deleteGrant(cp, actor, params.id!),
  });
  add({
    method: 'GET',
    url: '/deny-rules',
    summary: 'List deny rules',
    tag: 'deny-rules',
    access: 'read',
    handler: ({ cp }) => cp.policy.denyRules(),
  });
  add({
    method: 'GET',
    url: '/deny-rules/:name',
    summary: 'Show a deny rule',
    tag: 'deny-rules',
    access: 'read',
    handler: ({ cp, params }) => getDenyRule(cp, params.name!),
  });
  add({
    method: 'POST',
    url: '/deny-rules',
    summary: 'Create a deny rule',
    tag: 'deny-rules',
    access: 'admin',
    body: denyRuleCreate,
    status: 201,
    handler: ({ cp, actor, body }) => createDenyRule(cp, actor, body!),
  });
  add({
    method: 'DELETE',
    url: '/deny-rules/:name',
    summary: 'Delete a deny rule',
    tag: 'deny-rules',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => deleteDenyRule(cp, actor, params.name!),
  });
}
