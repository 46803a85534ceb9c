import { z } from 'zod';
import { PRIVILEGES } from '../sql/types.js';
import { passwordProblem } from '../identity/password.js';
import { ControlError } from './errors.js';

/**
 * Every input the control plane accepts, as strict zod schemas: unknown fields are refused,
 * names are plain identifiers (they become database user names and connection names that
 * clients type, so nothing that needs quoting), times are RFC 3339.
 */
export const NAME = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1–63 of a-z 0-9 . _ -, starting with a letter or digit');
/** The rule is identity/password.ts's; this only reports it where the field is. */
const PASSWORD = z.string().superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const TIME = z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString());
const TEXT = (max: number) => z.string().max(max);
const TAGS = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'tag keys are like names'),
  z.string().min(1).max(200),
);

export const SELECTOR = z.union([
  z.strictObject({ connection: NAME }),
  z.strictObject({ tags: TAGS.refine((t) => Object.keys(t).length > 0, 'a tag selector needs at least one tag') }),
]);

export const principalCreate = z
  .strictObject({
    kind: z.enum(['human', 'service']).default('human'),
    name: NAME,
    display_name: TEXT(200).optional(),
    email: z.email().max(320).optional(),
    role: z.enum(['admin', 'auditor', 'member']).default('member'),
    expires_at: TIME.nullable().optional(),
    password: PASSWORD.optional(),
  })
  .refine((p) => p.kind === 'human' || p.email === undefined, { message: 'service accounts have no email', path: ['email'] });

export const principalUpdate = z.strictObject({
  display_name: TEXT(200).nullable().optional(),
  email: z.email().max(320).nullable().optional(),
  role: z.enum(['admin', 'auditor', 'member']).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  expires_at: TIME.nullable().optional(),
  password: PASSWORD.optional(),
});

export const groupCreate = z.strictObject({
  name: NAME,
  description: TEXT(1000).min(1, 'say what function the group serves'),
  owner: NAME.optional(),
});

export const groupUpdate = z.strictObject({
  description: TEXT(1000).min(1).optional(),
  owner: NAME.nullable().optional(),
});

export const membershipAdd = z.strictObject({
  principal: NAME,
  expires_at: TIME.nullable().optional(),
});

export const connectionCreate = z.strictObject({
  name: NAME,
  engine: z.enum(['postgres', 'mysql']),
  host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'must be a host name or address'),
  port: z.int().min(1).max(65535).optional(),
  database: z.string().min(1).max(63),
  username: z.string().min(1).max(63),
  password: z.string().max(1024).optional(),
  tls_mode: z.enum(['disable', 'prefer', 'require', 'verify-full']).default('prefer'),
  tags: TAGS.default({}),
});

/** No defaults here: a field left out of an update stays as it is (tags, TLS mode above all). */
export const connectionUpdate = z.strictObject({
  host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'must be a host name or address').optional(),
  port: z.int().min(1).max(65535).optional(),
  database: z.string().min(1).max(63).optional(),
  username: z.string().min(1).max(63).optional(),
  /** null removes the password. */
  password: z.string().max(1024).nullable().optional(),
  tls_mode: z.enum(['disable', 'prefer', 'require', 'verify-full']).optional(),
  tags: TAGS.optional(),
});

export const grantCreate = z.strictObject({
  group: NAME,
  on: SELECTOR,
  privileges: z.array(z.enum(PRIVILEGES as [string, ...string[]])).min(1),
  objects: z.array(z.string().min(1).max(200)).min(1).default(['*.*']),
  expires_at: TIME.nullable().optional(),
  reason: TEXT(1000).optional(),
});

const STATEMENT_CLASSES = ['read', 'write', 'ddl', 'admin', 'transaction', 'session', 'utility'] as const;
export const denyRuleCreate = z.strictObject({
  name: NAME,
  on: SELECTOR,
  match: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('no_where') }),
    z.strictObject({ kind: z.literal('drop_truncate') }),
    z.strictObject({ kind: z.literal('classes'), classes: z.array(z.enum(STATEMENT_CLASSES)).min(1) }),
    z.strictObject({ kind: z.literal('flags'), flags: z.array(z.string().regex(/^[a-z_]+$/)).min(1) }),
  ]),
  reason: TEXT(1000).optional(),
});

export const tokenCreate = z.strictObject({
  name: TEXT(100).min(1).default('token'),
  principal: NAME.optional(),
  expires_at: TIME.nullable().optional(),
});

/** Parses or throws a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new ControlError('invalid', errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}
