import { jcs, MAX_ENTRY_BYTES, MAX_PAYLOAD_BYTES, newSalt, nowIso, payloadCommitment, type PreparedEntry } from '../ledger/index.js';
import { queryContext, queryEvent, type SessionIdentity } from './audit.js';
import type { StatementDecision } from './session-policy.js';

type Statement = Parameters<typeof queryEvent>[2];
interface Parts {
  actor: string;
  decision: string;
  target: string;
}

/**
 * Encodes `db.query` entries for one session, byte for byte what the ledger would make of
 * `queryEvent(…)` (RFC 8785: members sorted, one encoding), but faster: the parts that repeat
 * — the actor with their groups, the target with the statements' classes and objects, the
 * decision, the context — are encoded once per decision (decisions are shared by statements
 * of one shape) and per protocol, and only the statement's own text and parameters, the salt,
 * the commitment and the time are encoded per statement. The ledger still owns the format:
 * query-entry.test.ts holds the two encodings to byte equality.
 */
export class QueryEntryBuilder {
  private readonly fragments = new WeakMap<StatementDecision, Parts>();
  private readonly contexts = new Map<string, string>();

  constructor(private readonly identity: SessionIdentity) {}

  /** The entry, or undefined when it is too large for this path (the ledger's checks then apply). */
  build(decided: StatementDecision, statement: Statement): PreparedEntry | undefined {
    const canonical = payloadJson(statement);
    if (canonical.length * 3 > MAX_PAYLOAD_BYTES) return undefined; // near the limit: let the ledger measure
    const salt = newSalt();
    const parts = this.decisionParts(decided);
    const text =
      `{"action":"db.query","actor":${parts.actor},"context":${this.context(statement)},` +
      `"decision":${parts.decision},"payload_commitment":"${payloadCommitment(salt, canonical)}",` +
      `"target":${parts.target},"time":"${nowIso()}","v":1}`;
    const entry = Buffer.from(text, 'utf8');
    if (entry.length > MAX_ENTRY_BYTES) return undefined;
    return { entry, payload: { salt, canonical } };
  }

  private decisionParts(decided: StatementDecision): Parts {
    let parts = this.fragments.get(decided);
    if (!parts) {
      const event = queryEvent(this.identity, decided, { protocol: '', text: '' });
      parts = { actor: jcs(event.actor), decision: jcs(event.decision), target: jcs(event.target) };
      this.fragments.set(decided, parts);
    }
    return parts;
  }

  private context(statement: Statement): string {
    const key = `${statement.protocol}\u0000${statement.name ?? ''}`;
    let encoded = this.contexts.get(key);
    if (encoded === undefined) {
      encoded = jcs(queryContext(this.identity, statement));
      if (this.contexts.size < 1000) this.contexts.set(key, encoded);
    }
    return encoded;
  }
}

/** The payload `{ sql, params? }` in RFC 8785 form: members in code-point order, "params" < "sql". */
function payloadJson(statement: Statement): string {
  const sql = jcs(statement.text);
  return statement.params ? `{"params":${jcs(statement.params)},"sql":${sql}}` : `{"sql":${sql}}`;
}
