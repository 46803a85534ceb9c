import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import type { Principal } from '../../identity/model.js';
import type { SessionInfo } from '../../gateway/engine.js';
import type { SessionRegistry } from '../../gateway/sessions.js';
import { ControlError } from '../../control/errors.js';
import { routeAdder, type AnyRoute } from '../route.js';

/** SessionInfo (gateway/engine.ts) as the OpenAPI document describes it. */
export const sessionInfoSchema = z.object({
  id: z.string(),
  engine: z.enum(['postgres', 'mysql']),
  principal: z.object({ id: z.string(), name: z.string(), kind: z.enum(['human', 'service']) }),
  connection: z.object({ id: z.string(), name: z.string() }),
  client: z.object({ address: z.string(), port: z.number().int() }),
  application: z.string().nullable(),
  tls: z.boolean(),
  state: z.enum(['authenticating', 'idle', 'active', 'in_transaction', 'failed_transaction']),
  started_at: z.string(),
  last_activity_at: z.string(),
  statements: z.number().int().describe('statements decided in this session so far (allowed and denied)'),
  denied: z.number().int(),
});

// The schema and the interface must not drift apart: this line stops compiling if they do.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.output<typeof sessionInfoSchema>, SessionInfo> = true;
void schemaMatchesInterface;

/**
 * The reason the client is told (in the FATAL ErrorResponse) and the ledger keeps. Control
 * characters are refused: the message travels as a C string on the wire (a NUL would end it).
 */
const terminateQuery = z.strictObject({
  reason: z
    .string()
    .min(1)
    .max(200)
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')
    .optional(),
});

export const DEFAULT_TERMINATE_REASON = 'the session was terminated by an administrator';

const visibleTo = (principal: Principal, s: SessionInfo) => principal.role !== 'member' || s.principal.id === principal.id;

/** The same answer whether the session never existed, has ended or belongs to someone a member may not see. */
const noSession = (id: string) => new ControlError('not_found', `there is no live session "${id}"`);

/**
 * Live sessions of the gateways in this process. Admins and auditors see all of them, a
 * member only their own; only admins terminate, and the termination is in the ledger before
 * the session ends (fail closed: if it cannot be recorded, the session lives on).
 */
export function sessionRoutes(sessions: SessionRegistry) {
  return (app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void => {
    const add = routeAdder(app, cp, routes);
    add({
      method: 'GET',
      url: '/sessions',
      summary: 'List live sessions',
      tag: 'sessions',
      access: 'any',
      response: z.array(sessionInfoSchema),
      handler: async ({ principal }) => sessions.list().filter((s) => visibleTo(principal, s)),
    });
    add({
      method: 'GET',
      url: '/sessions/:id',
      summary: 'Show a live session',
      tag: 'sessions',
      access: 'any',
      response: sessionInfoSchema,
      handler: async ({ principal, params }) => {
        const info = sessions.get(params.id!);
        if (!info || !visibleTo(principal, info)) throw noSession(params.id!);
        return info;
      },
    });
    add({
      method: 'DELETE',
      url: '/sessions/:id',
      summary: 'Terminate a live session',
      tag: 'sessions',
      access: 'admin',
      query: terminateQuery,
      response: sessionInfoSchema,
      handler: async ({ cp, actor, params, query }) => {
        const id = params.id!;
        const info = sessions.get(id);
        if (!info) throw noSession(id);
        const reason = query?.reason ?? DEFAULT_TERMINATE_REASON;
        const target = { type: 'session' as const, id, name: `${info.principal.name}@${info.connection.name}` };
        // The session's details (who, from where) are personal data: they go in the payload,
        // behind its commitment, where a lawful erasure can drop them (docs/ledger.md §5).
        return cp.audited(actor, 'admin.session.terminate', target, { before: info, after: { reason } }, async () => {
          // It may have ended between the lookup and now; audited() then records the _failed event.
          if (!sessions.terminate(id, reason)) throw noSession(id);
          return info;
        });
      },
    });
  };
}
