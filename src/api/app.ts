import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ControlPlane } from '../control/plane.js';
import { ControlError } from '../control/errors.js';
import { LedgerError } from '../ledger/index.js';
import { isStoreUnavailable } from '../store/errors.js';
import { initSql } from '../sql/index.js';
import { PolicyInputError } from '../policy/index.js';
import { SessionRegistry } from '../gateway/sessions.js';
import { bearerAuth } from './auth.js';
import { FailureThrottle } from './throttle.js';
import { openApiDocument } from './openapi.js';
import { sendProblem, type AnyRoute } from './route.js';
import { userRoutes } from './routes/users.js';
import { groupRoutes } from './routes/groups.js';
import { connectionRoutes } from './routes/connections.js';
import { grantRoutes } from './routes/grants.js';
import { tokenRoutes } from './routes/tokens.js';
import { ledgerRoutes } from './routes/ledger.js';
import { policyRoutes } from './routes/policy.js';
import { sessionRoutes } from './routes/sessions.js';

export const API_VERSION = '0.1.0';
/** Admin bodies are small; anything bigger is a mistake or an attack. */
export const BODY_LIMIT = 64 * 1024;

export interface ApiOptions {
  /** Logs one line per request (method, path, status, time); never headers or bodies. */
  log?: boolean | { level: string; stream: NodeJS.WritableStream };
  throttle?: FailureThrottle;
  /** The live sessions of this process's gateways (none when absent: an API without gateways). */
  sessions?: SessionRegistry;
}

/** The admin API: Fastify under /api/v1, bearer tokens, problem+json errors (RFC 9457). */
export async function buildApi(cp: ControlPlane, options: ApiOptions = {}): Promise<FastifyInstance> {
  // Logs go to stderr (stdout is for what the command prints); Fastify's request serializers
  // log method, URL, address and status, never headers or bodies.
  const logger = options.log === true ? { level: 'info', stream: process.stderr } : (options.log ?? false);
  const app = Fastify({ bodyLimit: BODY_LIMIT, logger, trustProxy: false });
  const routes: AnyRoute[] = [];
  // JSON only: any other body is 415, not a string that fails validation further on.
  app.removeContentTypeParser(['text/plain']);

  app.addHook('onRequest', bearerAuth(cp, options.throttle ?? new FailureThrottle()));
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    if (error instanceof ControlError) return sendProblem(reply, error.toProblem(request.url));
    if (error instanceof PolicyInputError) return sendProblem(reply, error.toProblem());
    if (error instanceof LedgerError) {
      // Fail closed: a change that cannot be recorded is not made.
      request.log.error(error);
      return sendProblem(reply, new ControlError('unavailable', `the audit ledger cannot record this change: ${error.message}`).toProblem());
    }
    if (isStoreUnavailable(error)) {
      // A full disk or a database that is down: the request may succeed later; the cause goes to the log.
      request.log.error(error);
      return sendProblem(reply, new ControlError('unavailable', `the store is unavailable: ${error.message}`).toProblem());
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return sendProblem(reply, {
        type: 'about:blank',
        title: status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : 'Bad request',
        status,
        detail: error.message,
      });
    }
    request.log.error(error);
    return sendProblem(reply, { type: 'about:blank', title: 'Internal error', status: 500, detail: 'an internal error occurred; it has been logged' });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  await initSql(); // the SQL parser (WASM) loads once, before the first decision
  await app.register(
    async (api) => {
      // Public, so it names no cause (that is in the log and in GET /ledger/commits): a probe
      // reads 503 while the ledger cannot commit, since statements and changes are refused then.
      api.get('/health', async (_request, reply) => {
        const failing = cp.ledger.commitFailure;
        if (!failing) return { status: 'ok', ledger_size: cp.ledger.size };
        return reply.code(503).send({ status: 'unavailable', reason: 'the audit ledger cannot commit', since: failing.since, ledger_size: cp.ledger.size });
      });
      const sessions = sessionRoutes(options.sessions ?? new SessionRegistry());
      for (const add of [userRoutes, groupRoutes, connectionRoutes, grantRoutes, tokenRoutes, sessions, ledgerRoutes, policyRoutes]) add(api, cp, routes);
      const document = openApiDocument(routes, API_VERSION);
      api.get('/openapi.json', async () => document);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
