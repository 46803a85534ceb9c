import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { NAME } from '../../control/inputs.js';
import { decide } from '../../control/decide.js';
import { inventory, inventoryCsv } from '../../control/inventory.js';
import { forbidden, routeAdder, type AnyRoute } from '../route.js';

const checkBody = z.strictObject({
  user: NAME,
  connection: NAME,
  sql: z.string().min(1).max(1024 * 1024),
});

export function policyRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'POST',
    url: '/policy/check',
    summary: 'Decide a statement for a user, explained',
    tag: 'policy',
    access: 'any',
    body: checkBody,
    handler: async ({ cp, principal, body }) => {
      if (principal.role === 'member' && body!.user !== principal.name) throw forbidden('members may check only their own access');
      const { decision, input, explanation } = await decide(cp, body!.user, body!.connection, body!.sql);
      return { decision, statements: input.classification, explanation };
    },
  });
  add({
    method: 'GET',
    url: '/inventory',
    summary: 'List every principal with its effective access',
    tag: 'inventory',
    access: 'read',
    query: z.strictObject({ format: z.enum(['json', 'csv']).default('json') }),
    handler: async ({ cp, query, reply }) => {
      const rows = await inventory(cp);
      if (query!.format === 'json') return rows;
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="inventory.csv"').send(inventoryCsv(rows));
    },
  });
}
