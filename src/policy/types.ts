// The inputs and output of the decision function. Pure data: the gateways and the API
// load these from the store for every decision (no cache outlives a change).
import type { Classification, Privilege, StatementClass, StatementFlag } from '../sql/types.js';

export type PrincipalKind = 'human' | 'service';
export type PrincipalStatus = 'active' | 'disabled' | 'expired';

export interface PolicyPrincipal {
  id: string;
  name: string;
  kind: PrincipalKind;
  status: PrincipalStatus;
  /** ISO 8601; the principal counts as expired from this instant on. */
  expiresAt: string | null;
  groups: PolicyMembership[];
}

export interface PolicyMembership {
  groupId: string;
  groupName: string;
  /** ISO 8601; the membership stops counting from this instant on. */
  expiresAt: string | null;
}

export interface PolicyConnection {
  id: string;
  name: string;
  engine: 'postgres' | 'mysql';
  tags: Record<string, string>;
}

/** Which connections a grant or deny rule applies to: one by name, or all whose tags match. */
export type ConnectionSelector =
  | { connection: string }
  /** Every listed tag must be present with the same value. */
  | { tags: Record<string, string> };

export interface PolicyGrant {
  id: string;
  groupId: string;
  groupName: string;
  on: ConnectionSelector;
  privileges: Privilege[];
  /** schema.table globs (`*` any run of characters, `?` one character); ['*.*'] means all. */
  objects: string[];
  expiresAt: string | null;
  reason: string | null;
}

export type DenyMatch =
  /** UPDATE or DELETE without WHERE. */
  | { kind: 'no_where' }
  /** DROP or TRUNCATE of anything. */
  | { kind: 'drop_truncate' }
  /** Any statement of these classes (e.g. no ddl on env=prod). */
  | { kind: 'classes'; classes: StatementClass[] }
  /** Any statement carrying one of these flags. */
  | { kind: 'flags'; flags: StatementFlag[] };

export interface PolicyDenyRule {
  id: string;
  name: string;
  on: ConnectionSelector;
  match: DenyMatch;
  /** Shown to the client and recorded; defaults to a sentence built from the rule. */
  reason: string | null;
}

export type DenialCode =
  | 'principal_disabled'
  | 'principal_expired'
  | 'unparseable'
  | 'no_grant' // no live grant of any of the principal's groups reaches this connection
  | 'missing_privilege' // grants reach the connection but none holds the privilege
  | 'object_not_covered' // the privilege is granted, but not on this object
  | 'grant_expired' // only an expired grant (or membership) would have allowed it
  | 'deny_rule';

export interface Denial {
  code: DenialCode;
  /** One sentence for the client, e.g. "write on public.orders is not granted to alice". */
  message: string;
  /** Index of the offending statement in the input, when one is to blame. */
  statement: number | null;
  privilege?: Privilege;
  object?: string;
  denyRuleId?: string;
  /** grant_expired only: the expired grants that would have allowed it, sorted (to renew). */
  grants?: string[];
}

export type Decision =
  | {
      allow: true;
      /** Ids of the grants that allowed it, sorted, without repeats. */
      grants: string[];
    }
  | { allow: false; denial: Denial };

/** Everything one decision depends on; `now` is an input so that evaluation stays pure. */
export interface EvaluateInput {
  principal: PolicyPrincipal;
  connection: PolicyConnection;
  classification: Classification;
  grants: PolicyGrant[];
  denyRules: PolicyDenyRule[];
  now: Date;
}
