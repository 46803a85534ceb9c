import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { connectionCreate, connectionUpdate } from '../../control/inputs.js';
import { createConnection, deleteConnection, getConnection, updateConnection } from '../../control/connections.js';
import { routeAdder, type AnyRoute } from '../route.js';

/** Connections never carry their password out: `has_password` says whether one is set. */
export function connectionRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'GET',
    url: '/connections',
    summary: 'List connections',
    tag: 'connections',
    access: 'read',
    handler: ({ cp }) => cp.connections.list(),
  });
  add({
    method: 'GET',
    url: '/connections/:name',
    summary: 'Show a connection',
    tag: 'connections',
    access: 'read',
    handler: ({ cp, params }) => getConnection(cp, params.name!),
  });
  add({
    method: 'POST',
    url: '/connections',
    summary: 'Create a connection',
    tag: 'connections',
    access: 'admin',
    body: connectionCreate,
    status: 201,
    handler: ({ cp, actor, body }) => createConnection(cp, actor, body!),
  });
  add({
    method: 'PATCH',
    url: '/connections/:name',
    summary: 'Update a connection',
    tag: 'connections',
    access: 'admin',
    body: connectionUpdate,
    handler: ({ cp, actor, body, params }) => updateConnection(cp, actor, params.name!, body!),
  });
  add({
    method: 'DELETE',
    url: '/connections/:name',
    summary: 'Delete a connection',
    tag: 'connections',
    access: 'admin',
    status: 204,
    handler: ({ cp, actor, params }) => deleteConnection(cp, actor, params.name!),
  });
}
