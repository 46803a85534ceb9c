import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { principalCreate, principalUpdate } from '../../control/inputs.js';
import { createPrincipal, deletePrincipal, getPrincipal, updatePrincipal } from '../../control/principals.js';
import { forbidden, routeAdder, type AnyRoute } from '../route.js';

const listQuery = z.strictObject({ kind: z.enum(['human', 'service']).optional() });

export function userRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'GET',
    url: '/me',
    summary: 'Show the caller',
    tag: 'users',
    access: 'any',
    handler: async ({ cp, principal }) => ({
      ...principal,
      groups: await cp.identity.memberships(cp.now(), { principalId: principal.id }),
    }),
  });
  add({
    method: 'GET',
    url: '/users',
    summary: 'List users and service accounts',
    tag: 'users',
    access: 'any',
    query: listQuery,
    handler: async ({ cp, principal, query }) => {
      const all = await cp.identity.principals(cp.now());
      const visible = principal.role === 'member' ? all.filter((p) => p.id === principal.id) : all;
      return visible.filter((p) => !query?.kind || p.kind === query.kind);
    },
  });
  add({
    method: 'GET',
    url: '/users/:name',
    summary: 'Show a user or service account',
    tag: 'users',
    access: 'any',
    handler: async ({ cp, principal, params }) => {
      if (principal.role === 'member' && params.name !== principal.name) throw forbidden('members see only themselves');
      const p = await getPrincipal(cp, params.name!);
      return { ...p, groups: await cp.identity.memberships(cp.now(), { principalId: p.id }) };
    },
  });
  add({
    method: 'POST',
    url: '/users',
    summary: 'Create a user or service account',
    tag: 'users',
    access: 'admin',
    body: principalCreate,
    status: 201,
    handler: ({ cp, actor, body }) => createPrincipal(cp, actor, body!),
  });
  add({
    method: 'PATCH',
    url: '/users/:name',
    summary: 'Update a user or service account',
    tag: 'users',
    access: 'admin',
    body: principalUpdate,
    handler: ({ cp, actor, body, params }) => updatePrincipal(cp, actor, params.name!, body!),
  });
  add({
    method: 'DELETE',
    url: '/users/:name',
    summary: 'Delete a user or service account',
    tag: 'users',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => deletePrincipal(cp, actor, params.name!),
  });
}
