import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { tokenCreate } from '../../control/inputs.js';
import { createToken, getToken, revokeToken } from '../../control/tokens.js';
import { forbidden, routeAdder, type AnyRoute } from '../route.js';

/** Everyone manages their own tokens; admins manage anyone's. The secret is shown once, at creation. */
export function tokenRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'GET',
    url: '/tokens',
    summary: 'List access tokens',
    tag: 'tokens',
    access: 'any',
    handler: ({ cp, principal }) => cp.identity.tokens(cp.now(), principal.role === 'member' ? { principalId: principal.id } : {}),
  });
  add({
    method: 'POST',
    url: '/tokens',
    summary: 'Create an access token',
    tag: 'tokens',
    access: 'any',
    body: tokenCreate,
    status: 201,
    handler: async ({ cp, actor, principal, body }) => {
      if (body!.principal && body!.principal !== principal.name && principal.role !== 'admin') {
        throw forbidden('only admins may create tokens for others');
      }
      const { token, info } = await createToken(cp, actor, body!);
      return { ...info, token };
    },
  });
  add({
    method: 'DELETE',
    url: '/tokens/:id',
    summary: 'Revoke an access token',
    tag: 'tokens',
    access: 'any',
    handler: async ({ cp, actor, principal, params }) => {
      const token = await getToken(cp, params.id!);
      if (token.principal !== principal.name && principal.role !== 'admin') {
        throw forbidden('only admins may revoke the tokens of others');
      }
      return revokeToken(cp, actor, params.id!);
    },
  });
}
