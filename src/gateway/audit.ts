import type { Classification } from '../sql/index.js';
import type { Decision } from '../policy/index.js';
import type { StatementDecision } from './session-policy.js';

/** Who and where, as every ledger event of one gateway session names them. */
export interface SessionIdentity {
  sessionId: string;
  principal: { id: string; name: string; kind: 'human' | 'service' };
  connection: { id: string; name: string; engine: 'postgres' | 'mysql' };
  client: { address: string; port: number };
  application: string | null;
}

export function actorOf(s: SessionIdentity, groups?: string[]) {
  return { id: s.principal.id, kind: s.principal.kind, name: s.principal.name, ...(groups ? { groups } : {}) };
}

export function targetOf(s: SessionIdentity) {
  return { type: 'connection', id: s.connection.id, name: s.connection.name, engine: s.connection.engine };
}

export function contextOf(s: SessionIdentity, extra: Record<string, unknown> = {}) {
  return {
    session: s.sessionId,
    client: `${s.client.address}:${s.client.port}`,
    ...(s.application ? { application: s.application } : {}),
    ...extra,
  };
}

/**
 * What the ledger keeps of a classification in the leaf itself: statement kinds, classes,
 * objects and flags (names of tables, no values). The statement text and parameters may hold
 * personal data, so they go in the payload, behind its salted commitment.
 */
function statementsOf(classification: Classification) {
  if (!classification.ok) return [{ class: 'unparseable', error: classification.error }];
  return classification.statements.map((s) => ({
    kind: s.kind,
    class: s.class,
    objects: s.objects.map((o) => `${o.privilege} ${o.schema}.${o.name}`),
    ...(s.flags.length > 0 ? { flags: s.flags } : {}),
    ...(s.requires ? { requires: s.requires } : {}),
  }));
}

function decisionOf(decision: Decision) {
  if (decision.allow) return { allow: true, grants: decision.grants };
  const { code, message, statement, privilege, object, denyRuleId, grants } = decision.denial;
  return {
    allow: false,
    code,
    message,
    ...(statement !== null ? { statement } : {}),
    ...(privilege ? { privilege } : {}),
    ...(object ? { object } : {}),
    ...(denyRuleId ? { deny_rule: denyRuleId } : {}),
    ...(grants ? { grants } : {}),
  };
}

/** A bound parameter as the payload keeps it: text as text, numbers as numbers, bytes as base64, NULL as null; a value sent ahead in pieces (MySQL long data) is only marked. */
export type RecordedParam = string | number | { base64: string } | { long_data: true } | null;

/** The context of a `db.query` event: the session's, and how the statement came (protocol, prepared name). */
export function queryContext(s: SessionIdentity, statement: { protocol: string; name?: string }) {
  return contextOf(s, { protocol: statement.protocol, ...(statement.name ? { prepared: statement.name } : {}) });
}

/** `db.query`: one statement (or one multi-statement string) decided, before it runs or is refused. */
export function queryEvent(
  s: SessionIdentity,
  decided: StatementDecision,
  statement: { protocol: string; text: string; params?: RecordedParam[]; name?: string },
) {
  return {
    actor: actorOf(s, decided.groups),
    action: 'db.query',
    target: { ...targetOf(s), statements: statementsOf(decided.classification) },
    decision: decisionOf(decided.decision),
    context: queryContext(s, statement),
    payload: { sql: statement.text, ...(statement.params ? { params: statement.params } : {}) },
  };
}

/**
 * `db.command_refused`: a protocol request the gateway refuses before any policy is asked, because
 * it carries no statement that could be decided: MySQL's COM_PROCESS_KILL, replication and
 * unknown commands, a prepared statement id it never saw prepared; PostgreSQL's fast-path
 * FunctionCall and a portal it never saw bound. Such requests are probes or bypass attempts as
 * often as client bugs, so each is recorded like a denied statement.
 */
export function commandRefusedEvent(s: SessionIdentity, command: string, message: string, detail: Record<string, string | number> = {}) {
  return {
    actor: actorOf(s),
    action: 'db.command_refused',
    target: targetOf(s),
    decision: { allow: false, code: 'command_refused', message },
    context: contextOf(s, { command, ...detail }),
  };
}

/**
 * `db.cancel`: a client's request to stop a running statement of one of its sessions (MySQL's
 * `KILL QUERY <id>` from a second connection), with what came of it.
 */
export function cancelEvent(s: SessionIdentity, connectionId: number, status: 'cancelled' | 'not_owner' | 'unknown', cancelledSession?: string) {
  return {
    actor: actorOf(s),
    action: 'db.cancel',
    target: targetOf(s),
    outcome: { status, ...(cancelledSession ? { session: cancelledSession } : {}) },
    context: contextOf(s, { command: 'KILL QUERY', connection_id: connectionId }),
  };
}

/** What became of one recorded statement. */
export interface Outcome {
  status: 'ok' | 'error' | 'not_run';
  /** Command tags, one per statement of the string (CommandComplete), in order. */
  tags: string[];
  rows: number | null;
  durationMs: number;
  sqlstate?: string;
  /** The server's error text: may quote data, so it is kept in the payload. */
  error?: string;
}
