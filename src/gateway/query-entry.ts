import { jcs, MAX_ENTRY_BYTES, MAX_PAYLOAD_BYTES, newSalt, nowIso, payloadCommitment, type PreparedEntry } from '../ledger/index.js';
import { queryContext, queryEvent, type SessionIdentity } from './audit.js';
import type { StatementDecision } from './session-policy.js';

type Statement = Parameters<typeof queryEvent>[2];
/** The entry's bytes around what each statement fills in (context, commitment, time), in member order. */
interface Parts {
  /** `{"action":"db.query","actor":…,"context":` */
  head: Buffer;
  /** `,"decision":…,"payload_commitment":"` */
  beforeCommitment: Buffer;
  /** `","target":…,"time":"` */
  beforeTime: Buffer;
}

const TAIL = Buffer.from('","v":1}', 'latin1');

/**
 * Encodes `db.query` entries for one session, byte for byte what the ledger would make of
 * `queryEvent(…)` (RFC 8785: members sorted, one encoding), but faster: the parts that repeat
 * — the actor with their groups, the target with the statements' classes and objects, the
 * decision, the context — are encoded once per decision (decisions are shared by statements
 * of one shape) and per protocol, and only the statement's own text and parameters, the salt,
 * the commitment and the time are encoded per statement. The repeated parts are kept as UTF-8
 * bytes and copied into the entry, so a statement costs no encoding of the whole entry text.
 * The ledger still owns the format: query-entry.test.ts holds the two encodings to byte equality.
 */
export class QueryEntryBuilder {
  private readonly fragments = new WeakMap<StatementDecision, Parts>();
  private readonly contexts = new Map<string, Buffer>();

  constructor(private readonly identity: SessionIdentity) {}

  /** The entry, or undefined when it is too large for this path (the ledger's checks then apply). */
  build(decided: StatementDecision, statement: Statement): PreparedEntry | undefined {
    const canonical = payloadJson(statement);
    if (canonical.length * 3 > MAX_PAYLOAD_BYTES) return undefined; // near the limit: let the ledger measure
    const salt = newSalt();
    const parts = this.decisionParts(decided);
    const context = this.context(statement);
    // Both are ASCII: base64 of a SHA-256 (44 characters) and an RFC 3339 time (24).
    const commitment = payloadCommitment(salt, canonical);
    const time = nowIso();
    const length = parts.head.length + context.length + parts.beforeCommitment.length + commitment.length + parts.beforeTime.length + time.length + TAIL.length;
    if (length > MAX_ENTRY_BYTES) return undefined;
    const entry = Buffer.allocUnsafe(length);
    let at = parts.head.copy(entry, 0);
    at += context.copy(entry, at);
    at += parts.beforeCommitment.copy(entry, at);
    at += entry.write(commitment, at, 'latin1');
    at += parts.beforeTime.copy(entry, at);
    at += entry.write(time, at, 'latin1');
    TAIL.copy(entry, at);
    return { entry, payload: { salt, canonical } };
  }

  private decisionParts(decided: StatementDecision): Parts {
    let parts = this.fragments.get(decided);
    if (!parts) {
      const event = queryEvent(this.identity, decided, { protocol: '', text: '' });
      parts = {
        head: Buffer.from(`{"action":"db.query","actor":${jcs(event.actor)},"context":`, 'utf8'),
        beforeCommitment: Buffer.from(`,"decision":${jcs(event.decision)},"payload_commitment":"`, 'utf8'),
        beforeTime: Buffer.from(`","target":${jcs(event.target)},"time":"`, 'utf8'),
      };
      this.fragments.set(decided, parts);
    }
    return parts;
  }

  private context(statement: Statement): Buffer {
    const key = `${statement.protocol}\u0000${statement.name ?? ''}`;
    let encoded = this.contexts.get(key);
    if (encoded === undefined) {
      encoded = Buffer.from(jcs(queryContext(this.identity, statement)), 'utf8');
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
