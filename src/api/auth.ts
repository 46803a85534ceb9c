import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControlPlane } from '../control/plane.js';
import { ControlError } from '../control/errors.js';
import { authenticateToken } from '../control/tokens.js';
import type { FailureThrottle } from './throttle.js';
import { PUBLIC_OPERATIONS } from './openapi.js';

/** Routes anyone may call: the health probe and the OpenAPI document, as the document lists them. */
const PUBLIC = new Set(Object.keys(PUBLIC_OPERATIONS));

/**
 * Bearer-token authentication (RFC 6750 §2.1) for every other route. A missing, unknown,
 * expired or revoked token, or one of a principal that is not active, gets the same 401;
 * too many failures from one address get 429 before the token is looked at.
 */
export function bearerAuth(cp: ControlPlane, throttle: FailureThrottle) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?')[0]!;
    if (PUBLIC.has(path) || !path.startsWith('/api/v1/')) return;
    const address = request.ip;
    const wait = throttle.blockedFor(address);
    if (wait > 0) {
      reply.header('retry-after', String(Math.ceil(wait / 1000)));
      throw new ControlError('too_many', 'too many failed authentication attempts; try again later');
    }
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    const principal = match ? await authenticateToken(cp, match[1]!) : null;
    if (!principal) {
      throttle.fail(address);
      reply.header('www-authenticate', 'Bearer realm="gatehouse"');
      throw new ControlError('unauthorized', header ? 'the token is not valid' : 'a bearer token is required');
    }
    request.principal = principal;
  };
}
