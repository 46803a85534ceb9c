import { z } from 'zod';
import type { AnyRoute } from './route.js';

/**
 * The OpenAPI 3.1 document, built from the same route table and zod schemas that validate
 * requests, so the two cannot drift apart. OpenAPI 3.1 uses JSON Schema 2020-12 as is.
 */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' });
  return rest;
};

const problem = { $ref: '#/components/responses/Problem' };

const json = (schema: object) => ({ 'application/json': { schema } });

/**
 * The operations anyone may call, without a token (api/auth.ts lets exactly these through).
 * They are not in the route table, which holds authenticated routes, so they are described
 * here; `security: []` overrides the document's bearer requirement (OpenAPI 3.1, "Security
 * Requirement Object": an empty array removes it for the operation).
 */
export const PUBLIC_OPERATIONS: Record<string, { get: object }> = {
  '/api/v1/health': {
    get: {
      summary: 'Health probe',
      tags: ['health'],
      'x-gatehouse-access': 'public',
      description:
        'No token needed. 200 while the audit ledger commits; 503 while it cannot, since statements and admin changes are refused then. It names no cause: that is in the log and in GET /ledger/commits.',
      security: [],
      responses: {
        '200': {
          description: 'Serving',
          content: json({ type: 'object', required: ['status', 'ledger_size'], properties: { status: { const: 'ok' }, ledger_size: { type: 'integer' } } }),
        },
        '503': {
          description: 'The audit ledger cannot commit',
          content: json({
            type: 'object',
            required: ['status', 'reason', 'since', 'ledger_size'],
            properties: {
              status: { const: 'unavailable' },
              reason: { type: 'string' },
              since: { type: 'string', format: 'date-time' },
              ledger_size: { type: 'integer' },
            },
          }),
        },
      },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      summary: 'This document (OpenAPI 3.1)',
      tags: ['meta'],
      'x-gatehouse-access': 'public',
      description: 'No token needed.',
      security: [],
      responses: { '200': { description: 'OK', content: json({ type: 'object' }) } },
    },
  },
};

export function openApiDocument(routes: readonly AnyRoute[], version: string): object {
  const paths: Record<string, Record<string, object>> = { ...PUBLIC_OPERATIONS };
  for (const route of routes) {
    const path = `/api/v1${route.url.replace(/:([a-z]+)/g, '{$1}')}`;
    const parameters: object[] = [...route.url.matchAll(/:([a-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (route.query) {
      const schema = jsonSchema(route.query) as { properties?: Record<string, object>; required?: string[] };
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        parameters.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: prop });
      }
    }
    const status = String(route.status ?? 200);
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.summary,
      tags: [route.tag],
      'x-gatehouse-access': route.access,
      description: `Roles: ${route.access === 'admin' ? 'admin' : route.access === 'read' ? 'admin, auditor' : 'admin, auditor, member (members see their own)'}.`,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body) } } } }
        : {}),
      responses: {
        [status]:
          status === '204'
            ? { description: 'Done' }
            : { description: 'OK', content: { 'application/json': route.response ? { schema: jsonSchema(route.response, 'output') } : {} } },
        '400': problem,
        '401': problem,
        '403': problem,
        '404': problem,
        '429': problem,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gatehouse admin API',
      version,
      description: 'Identities, groups, connections, grants, deny rules, tokens, live sessions, the audit ledger and the access inventory.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Gatehouse access token (ghk_…)' } },
      responses: {
        Problem: {
          description: 'An RFC 9457 problem document',
          content: {
            'application/problem+json': {
              schema: {
                type: 'object',
                required: ['type', 'title', 'status', 'detail'],
                properties: {
                  type: { type: 'string' },
                  title: { type: 'string' },
                  status: { type: 'integer' },
                  detail: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    },
  };
}
