// A small world for the policy tests: people, groups, connections, grants and deny rules,
// plus a helper that builds classified statements by hand (the classifier is not needed).
import type { ClassifiedStatement, Classification, Privilege, StatementClass, StatementFlag } from '../sql/types.js';
import type { EvaluateInput, PolicyConnection, PolicyDenyRule, PolicyGrant, PolicyMembership, PolicyPrincipal } from './types.js';

export const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_ISO = '2026-03-01T12:00:00Z';

const group = (groupId: string, expiresAt: string | null = null): PolicyMembership => ({
  groupId,
  groupName: groupId.replace(/^g-/, ''),
  expiresAt,
});

const human = (name: string, groups: PolicyMembership[], extra: Partial<PolicyPrincipal> = {}): PolicyPrincipal => ({
  id: `u-${name}`,
  name,
  kind: 'human',
  status: 'active',
  expiresAt: null,
  groups,
  ...extra,
});

export const principals = {
  /** Analyst: reads sales.* on prod, public.order? on orders-prod; an on-call membership that expired. */
  alice: human('alice', [group('g-analysts'), group('g-oncall', '2026-02-01T00:00:00Z')]),
  /** Engineer: admin on staging, read on orders-prod, an expired write grant there. */
  bob: human('bob', [group('g-engineers')]),
  /** DBA with admin on orders-prod, also an analyst. */
  dora: human('dora', [group('g-dbas'), group('g-analysts')]),
  dave: human('dave', [group('g-analysts')], { status: 'disabled' }),
  /** Contractor whose account expired. */
  carol: human('carol', [group('g-contractors')], { expiresAt: '2026-02-15T00:00:00Z' }),
  /** Account expiring at exactly NOW. */
  frank: human('frank', [group('g-analysts')], { expiresAt: NOW_ISO }),
  gina: human('gina', [group('g-analysts')], { status: 'expired' }),
  /** Contractor membership that expired; the account itself is fine. */
  ivan: human('ivan', [group('g-contractors', '2026-02-20T00:00:00Z')]),
  /** No groups at all. */
  erin: human('erin', []),
  /** Only in a group whose grant has an empty tag selector. */
  wendy: human('wendy', [group('g-wild')]),
  etl: {
    id: 'sa-etl',
    name: 'etl-loader',
    kind: 'service',
    status: 'active',
    expiresAt: null,
    groups: [group('g-etl')],
  } satisfies PolicyPrincipal,
};

const connection = (name: string, tags: Record<string, string>): PolicyConnection => ({
  id: `c-${name}`,
  name,
  engine: 'postgres',
  tags,
});

export const connections = {
  prod: connection('orders-prod', { env: 'prod' }),
  staging: connection('orders-staging', { env: 'staging' }),
  analytics: connection('analytics', { env: 'prod', criticality: 'high' }),
};

const grant = (
  id: string,
  groupId: string,
  on: PolicyGrant['on'],
  privileges: Privilege[],
  objects: string[],
  expiresAt: string | null = null,
): PolicyGrant => ({ id, groupId, groupName: groupId.replace(/^g-/, ''), on, privileges, objects, expiresAt, reason: null });

export const grants: PolicyGrant[] = [
  grant('gr-an-sales', 'g-analysts', { tags: { env: 'prod' } }, ['read'], ['sales.*']),
  grant('gr-an-orders', 'g-analysts', { connection: 'orders-prod' }, ['read'], ['public.order?']),
  grant('gr-an-staging-write', 'g-analysts', { connection: 'orders-staging' }, ['write'], ['*.orders']),
  grant('gr-oncall-prod-write', 'g-oncall', { connection: 'orders-prod' }, ['write'], ['*.*']),
  grant('gr-eng-staging-admin', 'g-engineers', { tags: { env: 'staging' } }, ['admin'], ['*']),
  grant('gr-eng-prod-read', 'g-engineers', { connection: 'orders-prod' }, ['read'], ['*.*']),
  grant('gr-eng-prod-write', 'g-engineers', { connection: 'orders-prod' }, ['write'], ['public.*'], '2026-01-01T00:00:00Z'),
  grant('gr-eng-metrics', 'g-engineers', { connection: 'analytics' }, ['read'], ['metrics.*'], NOW_ISO),
  grant('gr-eng-reports', 'g-engineers', { connection: 'analytics' }, ['read'], ['Reports.*']),
  grant('gr-dba-prod', 'g-dbas', { connection: 'orders-prod' }, ['admin'], ['*.*']),
  grant('gr-con-staging', 'g-contractors', { connection: 'orders-staging' }, ['read'], ['*.*']),
  grant('gr-etl-analytics', 'g-etl', { connection: 'analytics' }, ['read', 'write'], ['"raw.events".*', 'staging.load_?']),
  grant('gr-etl-wrong-case', 'g-etl', { connection: 'Orders-Staging' }, ['write'], ['*.*']),
  grant('gr-wild', 'g-wild', { tags: {} }, ['admin'], ['*.*']),
];

export const denyRules: PolicyDenyRule[] = [
  { id: 'dr-1', name: 'no-where-in-prod', on: { tags: { env: 'prod' } }, match: { kind: 'no_where' }, reason: null },
  {
    id: 'dr-2',
    name: 'no-drop-in-prod',
    on: { tags: { env: 'prod' } },
    match: { kind: 'drop_truncate' },
    reason: 'dropping or truncating in production needs a change ticket',
  },
  { id: 'dr-3', name: 'no-ddl-in-prod', on: { tags: { env: 'prod' } }, match: { kind: 'classes', classes: ['ddl'] }, reason: null },
  { id: 'dr-4', name: 'no-programs', on: { connection: 'orders-staging' }, match: { kind: 'flags', flags: ['copy_program'] }, reason: null },
];

export interface StatementOptions {
  flags?: StatementFlag[];
  requires?: Privilege | null;
  text?: string;
  kind?: string;
}

/**
 * A hand-built classified statement. Objects are "privilege schema.name" strings, split at the
 * first dot; pass [privilege, schema, name] tuples for names that hold dots.
 */
export function stmt(
  cls: StatementClass,
  objects: Array<string | [Privilege, string, string]> = [],
  options: StatementOptions = {},
): ClassifiedStatement {
  return {
    text: options.text ?? `${cls} statement`,
    kind: options.kind ?? 'TestStmt',
    class: cls,
    objects: objects.map((o) => {
      if (Array.isArray(o)) return { privilege: o[0], schema: o[1], name: o[2] };
      const [privilege, qualified] = o.split(' ') as [Privilege, string];
      const dot = qualified.indexOf('.');
      return { privilege, schema: qualified.slice(0, dot), name: qualified.slice(dot + 1) };
    }),
    functions: [],
    flags: options.flags ?? [],
    requires: options.requires ?? null,
  };
}

export const ok = (...statements: ClassifiedStatement[]): Classification => ({ ok: true, statements });

export function input(
  principal: PolicyPrincipal,
  conn: PolicyConnection,
  classification: Classification,
  overrides: Partial<EvaluateInput> = {},
): EvaluateInput {
  return { principal, connection: conn, classification, grants, denyRules, now: NOW, ...overrides };
}
