import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../identity/model.js';
import type { ControlPlane, Actor } from '../control/plane.js';
import { ControlError, type Problem } from '../control/errors.js';
import { parseInput } from '../control/inputs.js';

/**
 * Who may call a route. 'admin': admins only (every mutation but one's own tokens);
 * 'read': admins and auditors (everything but secrets, which no route returns anyway);
 * 'any': every authenticated principal, the handler narrowing what a member sees.
 */
export type Access = 'admin' | 'read' | 'any';

export interface RouteContext<B, Q> {
  cp: ControlPlane;
  principal: Principal;
  actor: Actor;
  body: B;
  query: Q;
  params: Record<string, string>;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  access: Access;
  body?: B;
  query?: Q;
  /** Status of a success; 204 sends no body. */
  status?: number;
  /** The success body's schema, for the OpenAPI document only (responses are not re-validated). */
  response?: z.ZodType;
  handler(ctx: RouteContext<B extends z.ZodType ? z.output<B> : undefined, Q extends z.ZodType ? z.output<Q> : undefined>): Promise<unknown>;
}

/** Every registered route, for the OpenAPI document (api/openapi.ts). */
export type AnyRoute = RouteSpec<z.ZodType | undefined, z.ZodType | undefined>;

export function actorOf(p: Principal): Actor {
  return { id: p.id, kind: p.kind, name: p.name, role: p.role };
}

export function forbidden(message = 'your role does not allow this'): ControlError {
  return new ControlError('forbidden', message);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer-token hook (api/auth.ts) when the token is good. */
    principal?: Principal;
  }
}

export type AddRoute = <B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<B, Q>,
) => void;

/** A function that registers routes on `app` and lists them in `routes` (for OpenAPI). */
export function routeAdder(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): AddRoute {
  return (spec) => register(app, cp, routes, spec as unknown as AnyRoute);
}

/** Registers a route: role check, zod-validated body and query, problem+json on failure. */
function register(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[], spec: AnyRoute): void {
  routes.push(spec);
  app.route({
    method: spec.method,
    url: spec.url,
    handler: async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new ControlError('unauthorized', 'a bearer token is required');
      if (spec.access === 'admin' && principal.role !== 'admin') throw forbidden(`only admins may ${spec.summary.toLowerCase()}`);
      if (spec.access === 'read' && principal.role === 'member') throw forbidden(`members may not ${spec.summary.toLowerCase()}`);
      const body = spec.body ? parseInput(spec.body, request.body ?? {}) : undefined;
      const query = spec.query ? parseInput(spec.query, request.query ?? {}) : undefined;
      const result = await spec.handler({
        cp,
        principal,
        actor: actorOf(principal),
        body,
        query,
        params: request.params as Record<string, string>,
        request,
        reply,
      });
      if (spec.status === 204) return reply.code(204).send();
      if (reply.sent) return reply;
      return reply.code(spec.status ?? 200).send(result);
    },
  });
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type('application/problem+json').send(problem);
}
