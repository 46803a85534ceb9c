// The decision, step by step. evaluate() returns only the decision; explainDecision() renders
// the steps. Both run this one function, so an explanation can never disagree with a decision
// made from the same input.
import type { ClassifiedStatement } from '../sql/types.js';
import { denyMessage, findDenyRule } from './deny.js';
import { endOf, isLive } from './instant.js';
import {
  disabledMessage,
  expiredMessage,
  grantExpiredMessage,
  missingPrivilegeMessage,
  needLabel,
  noGrantMessage,
  objectNotCoveredMessage,
  unparseableMessage,
} from './messages.js';
import { statementNeeds, type Need } from './needs.js';
import { displayObject } from './pattern.js';
import { compareIds, covers, coversConnection, grantStandings, type GrantStanding } from './standing.js';
import type { Decision, Denial, EvaluateInput } from './types.js';

/** A need and the grants that met it (each of them alone would have). */
export interface MetNeed {
  need: Need;
  grants: string[];
}

export interface StatementTrace {
  index: number;
  statement: ClassifiedStatement;
  /** Its object needs were waived by the catalog rule. */
  catalogRead: boolean;
  /** The needs checked and met, in order; stops at the first unmet one. */
  met: MetNeed[];
  /** Why it was denied, when it was. */
  denial: Denial | null;
}

export interface Trace {
  decision: Decision;
  /** Null when evaluation stopped before the grants were looked at (principal, parse). */
  standings: GrantStanding[] | null;
  /** Statements in order up to and including the first denied one. */
  statements: StatementTrace[];
}

export function trace(input: EvaluateInput): Trace {
  const { principal, connection, classification, now } = input;
  const stop = (denial: Denial): Trace => ({ decision: { allow: false, denial }, standings: null, statements: [] });

  // 1. The principal. Anything but "active" is refused; an unreadable expiry counts as passed.
  if (principal.status === 'expired') return stop(deny('principal_expired', expiredMessage(principal, null)));
  if (principal.status !== 'active') return stop(deny('principal_disabled', disabledMessage(principal)));
  const principalEnd = endOf(principal.expiresAt);
  if (!isLive(principalEnd, now)) {
    const message = expiredMessage(principal, principalEnd.kind === 'at' ? principalEnd.at : null);
    return stop(deny('principal_expired', message));
  }

  // 2. The parse. Fail closed: what could not be parsed cannot be judged.
  if (!classification.ok) return stop(deny('unparseable', unparseableMessage(classification.error, classification.position)));

  // 3. Each statement in order: deny rules (they override grants), then the privileges needed.
  const standings = grantStandings(principal, connection, input.grants, now);
  const statements: StatementTrace[] = [];
  const used = new Set<string>();
  const reached = new Set<string>();
  for (const [index, statement] of classification.statements.entries()) {
    const { needs, catalogRead } = statementNeeds(statement);
    const step: StatementTrace = { index, statement, catalogRead, met: [], denial: null };
    statements.push(step);
    const rule = findDenyRule(input.denyRules, connection, statement);
    if (rule) {
      step.denial = deny('deny_rule', denyMessage(rule, connection), index, { denyRuleId: rule.id });
      return { decision: { allow: false, denial: step.denial }, standings, statements };
    }
    for (const need of needs) {
      const outcome = meet(need, standings, input, index);
      if ('code' in outcome) {
        step.denial = outcome;
        return { decision: { allow: false, denial: outcome }, standings, statements };
      }
      step.met.push({ need, grants: outcome });
      for (const id of outcome) (need.kind === 'reach' ? reached : used).add(id);
    }
  }

  // A request with no statements at all still needs access to the connection.
  if (classification.statements.length === 0) {
    const outcome = meet({ kind: 'reach' }, standings, input, null);
    if ('code' in outcome) return { decision: { allow: false, denial: outcome }, standings, statements };
    for (const id of outcome) reached.add(id);
  }

  // Credit the grants that met privilege needs. Reach is implied by any of them; only a
  // request made of reach-only statements (BEGIN; SELECT 1) is credited to every live grant
  // on the connection, since each of them alone allowed it.
  const credited = used.size > 0 ? used : reached;
  return { decision: { allow: true, grants: [...credited].sort(compareIds) }, standings, statements };
}

/**
 * Meets one need from the standings, or says why not. When several reasons apply the most
 * useful one wins: grant_expired (renewing fixes it) > object_not_covered (the privilege is
 * there, on other objects) > missing_privilege > no_grant.
 */
function meet(need: Need, standings: readonly GrantStanding[], input: EvaluateInput, index: number | null): string[] | Denial {
  const { principal, connection } = input;
  const allows = (s: GrantStanding): boolean =>
    need.kind === 'object'
      ? covers(s, need.privilege, need.schema, need.name)
      : need.kind === 'connection'
        ? coversConnection(s, need.privilege)
        : true;
  const live = standings.filter((s) => s.live);
  const met = live.filter(allows);
  if (met.length > 0) return met.map((s) => s.grant.id);

  const label = needLabel(need, connection);
  const details: Partial<Denial> =
    need.kind === 'object'
      ? { privilege: need.privilege, object: displayObject(need.schema, need.name) }
      : need.kind === 'connection'
        ? { privilege: need.privilege }
        : {};

  const expired = standings.filter((s) => !s.live && allows(s));
  if (expired.length > 0) {
    // Name the most recent end: the access the principal most plausibly still expects.
    const until = new Date(Math.max(...expired.map((s) => (s.end.kind === 'at' ? s.end.at.getTime() : 0))));
    const grants = expired.map((s) => s.grant.id);
    return deny('grant_expired', grantExpiredMessage(label, principal, until), index, { ...details, grants });
  }
  if (live.length === 0 || need.kind === 'reach') {
    return deny('no_grant', noGrantMessage(label, principal, connection, need), index, details);
  }
  const holders = live.filter((s) => s.allows.has(need.privilege));
  if (holders.length > 0) {
    const patterns = [...new Set(holders.flatMap((s) => s.patterns.map((p) => p.text)))].sort(compareIds);
    return deny('object_not_covered', objectNotCoveredMessage(label, principal, need.privilege, patterns), index, details);
  }
  return deny('missing_privilege', missingPrivilegeMessage(label, principal), index, details);
}

function deny(code: Denial['code'], message: string, statement: number | null = null, details: Partial<Denial> = {}): Denial {
  return { code, message, statement, ...details };
}
