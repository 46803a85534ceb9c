// Deny rules (guardrails). They are checked before grants and override them: a statement a
// matching rule forbids is denied whatever the principal holds.
import type { ClassifiedStatement } from '../sql/types.js';
import { describeSelector, matchSelector } from './selector.js';
import type { DenyMatch, PolicyConnection, PolicyDenyRule } from './types.js';

/** Whether the rule applies on this connection. A broken selector applies everywhere (fail closed). */
export function denyRuleApplies(rule: PolicyDenyRule, connection: PolicyConnection): boolean {
  return matchSelector(rule.on, connection) !== 'no_match';
}

export function denyMatches(match: DenyMatch, statement: ClassifiedStatement): boolean {
  switch (match?.kind) {
    case 'no_where':
      return statement.flags.includes('no_where');
    case 'drop_truncate':
      return statement.flags.includes('drop') || statement.flags.includes('truncate');
    case 'classes':
      return Array.isArray(match.classes) && match.classes.includes(statement.class);
    case 'flags':
      return Array.isArray(match.flags) && match.flags.some((flag) => statement.flags.includes(flag));
    default:
      // A kind this version does not know (newer data, a corrupt row): deny rather than
      // silently skip a guardrail someone meant to have.
      return true;
  }
}

/**
 * The rule that denies the statement on this connection, or null. Rules are tried in order
 * of id, so the same input always names the same rule whatever order the store returned.
 */
export function findDenyRule(
  rules: readonly PolicyDenyRule[],
  connection: PolicyConnection,
  statement: ClassifiedStatement,
): PolicyDenyRule | null {
  let found: PolicyDenyRule | null = null;
  for (const rule of rules) {
    if (found && !(rule.id < found.id)) continue;
    if (denyRuleApplies(rule, connection) && denyMatches(rule.match, statement)) found = rule;
  }
  return found;
}

/** The rule's own reason, or a sentence built from what it matches. */
export function denyReason(rule: PolicyDenyRule, connection: PolicyConnection): string {
  if (typeof rule.reason === 'string' && rule.reason.trim() !== '') return rule.reason.trim();
  return `${describeMatch(rule.match)} is not allowed on ${connection.name}`;
}

export function describeMatch(match: DenyMatch): string {
  switch (match?.kind) {
    case 'no_where':
      return 'update or delete without a where clause';
    case 'drop_truncate':
      return 'drop or truncate';
    case 'classes':
      return `a ${orList(match.classes ?? [])} statement`;
    case 'flags':
      return `a statement flagged ${orList(match.flags ?? [])}`;
    default:
      return 'a statement this rule cannot describe';
  }
}

/** The one-sentence denial: names the rule and its reason. */
export function denyMessage(rule: PolicyDenyRule, connection: PolicyConnection): string {
  return `denied by rule ${rule.name}: ${denyReason(rule, connection)}`;
}

export function describeDenyRule(rule: PolicyDenyRule): string {
  return `${rule.name} (${rule.id}) on ${describeSelector(rule.on)}: ${describeMatch(rule.match)}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '(nothing)';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
