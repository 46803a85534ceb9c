// `gatehouse policy check`: a decision in words. Which statements, what each needed, which
// grant met it, or why it was refused.
import { describeDenyRule } from './deny.js';
import { endOf, formatInstant, isLive, type End } from './instant.js';
import { needLabel, principalLabel } from './messages.js';
import { describeSelector, describeTags } from './selector.js';
import type { GrantStanding } from './standing.js';
import { trace, type StatementTrace } from './trace.js';
import type { Decision, EvaluateInput } from './types.js';

/**
 * Multi-line text explaining `decision` for `input`. The explanation is recomputed from the
 * input (evaluation is pure); when the given decision differs from the recomputed one, say
 * because grants changed since it was made, the text says so before explaining.
 */
export function explainDecision(decision: Decision, input: EvaluateInput): string {
  const { principal, connection, now } = input;
  const t = trace(input);
  const lines: string[] = [];
  if (!sameDecision(decision, t.decision)) {
    lines.push(`note: the decision given (${summary(decision)}) differs from what this input yields now; explaining the latter`);
  }
  lines.push(`decision: ${summary(t.decision)}`);
  if (!t.decision.allow) lines.push(`reason: ${t.decision.denial.message}`);
  lines.push(`at: ${formatInstant(now)}`);

  const principalEnd = endOf(principal.expiresAt);
  // An active account past its expiry is expired, whatever the stored status says.
  const status = principal.status === 'active' && !isLive(principalEnd, now) ? 'expired' : principal.status;
  lines.push(`principal: ${principalLabel(principal)} (${status}${until(principalEnd)})`);
  for (const m of principal.groups ?? []) {
    const end = endOf(m.expiresAt);
    lines.push(`  member of ${m.groupName}${until(end)}${isLive(end, now) ? '' : ' — no longer counts'}`);
  }
  lines.push(`connection: ${connection.name} (${connection.engine}; ${describeTags(connection.tags)})`);

  if (t.standings) {
    lines.push(t.standings.length ? 'grants reaching it:' : 'grants reaching it: none');
    for (const s of t.standings) lines.push(`  ${grantLine(s)}`);
  }

  const statements = input.classification.ok ? input.classification.statements : [];
  for (const step of t.statements) lines.push(...statementLines(step, input));
  const skipped = statements.length - t.statements.length;
  if (skipped > 0) {
    const first = t.statements.length;
    const which = skipped === 1 ? `statement ${first}` : `statements ${first}–${statements.length - 1}`;
    const why = t.standings ? 'an earlier statement was denied' : 'the request was denied before any statement was looked at';
    lines.push(`${which}: not evaluated (${why})`);
  }
  if (t.standings && statements.length === 0) lines.push('no statements: only access to the connection was needed');
  return lines.join('\n');
}

function statementLines(step: StatementTrace, input: EvaluateInput): string[] {
  const lines = [`statement ${step.index} [${step.statement.class}]: ${shorten(step.statement.text)}`];
  if (step.catalogRead) lines.push('  catalog read: its pg_catalog/information_schema relations need no grant of their own');
  for (const { need, grants } of step.met) {
    lines.push(`  needs ${needLabel(need, input.connection)}: met by ${grants.join(', ')}`);
  }
  const denial = step.denial;
  if (denial) {
    if (denial.code === 'deny_rule') {
      const rule = input.denyRules.find((r) => r.id === denial.denyRuleId);
      lines.push(`  denied by deny rule ${rule ? describeDenyRule(rule) : denial.denyRuleId}`);
    } else {
      lines.push(`  denied (${denial.code}): ${denial.message}`);
      if (denial.grants?.length) lines.push(`  renewing ${denial.grants.join(' or ')} would allow it`);
    }
  }
  return lines;
}

function grantLine(s: GrantStanding): string {
  const g = s.grant;
  const state = s.live ? `live${until(s.end)}` : `expired${s.end.kind === 'at' ? ` at ${formatInstant(s.end.at)}` : ''}`;
  const why = g.reason ? `; reason: ${g.reason}` : '';
  return `${g.id} via ${g.groupName}: ${s.held.join(', ')} on ${s.patterns.map((p) => p.text).join(', ')} (${describeSelector(g.on)}; ${state}${why})`;
}

function until(end: End): string {
  return end.kind === 'at' ? `, until ${formatInstant(end.at)}` : end.kind === 'unreadable' ? ', unreadable expiry' : '';
}

function summary(decision: Decision): string {
  if (decision.allow) return `allow (grants ${decision.grants.join(', ') || 'none'})`;
  const at = decision.denial.statement === null ? '' : ` at statement ${decision.denial.statement}`;
  return `deny ${decision.denial.code}${at}`;
}

function sameDecision(a: Decision, b: Decision): boolean {
  if (a.allow && b.allow) return a.grants.join('\n') === b.grants.join('\n');
  if (!a.allow && !b.allow) return a.denial.code === b.denial.code && a.denial.statement === b.denial.statement && a.denial.message === b.denial.message;
  return false;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 99)}…` : flat;
}
