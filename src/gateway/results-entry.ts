import { canonicalJson, entryBytesOverLimit, jcs, MAX_PAYLOAD_BYTES, newSalt, nowIso, payloadCommitment, type PreparedEntry } from '../ledger/index.js';

/** One statement's outcome as a `db.results` event lists it: members in RFC 8785 order. */
export interface ResultRecord {
  duration_ms: number;
  /** The index of the statement's `db.query` entry. */
  entry: number;
  rows: number | null;
  session: string;
  sqlstate?: string;
  status: string;
  tags: string[];
}

/** Who records outcomes: the gateway itself. */
const RESULTS_ACTOR = { id: 'system', kind: 'system', name: 'gatehouse' } as const;
/** The entry's members before the results, in RFC 8785 order. */
const HEAD = `{"action":"db.results","actor":${jcs(RESULTS_ACTOR)},"outcome":{"results":`;

/** `db.results`: the outcomes of a batch of statements; error texts (which may quote data) in the payload. */
export function resultsEvent(results: ResultRecord[], errors: Record<string, string>) {
  return {
    actor: RESULTS_ACTOR,
    action: 'db.results',
    outcome: { results },
    ...(Object.keys(errors).length > 0 ? { payload: { errors } } : {}),
  };
}

/**
 * The `db.results` entry, byte for byte what the ledger makes of `resultsEvent(…)` (RFC 8785),
 * without its general encoder walking every member of every result to check the order: a
 * batch holds up to 500 results, and that walk was a tenth of the gateway's work per
 * statement. The results are built in canonical order (ResultRecord), so JSON.stringify
 * writes them canonically once their strings are well-formed and their numbers finite,
 * which is checked here. Undefined when anything is unexpected or near a limit: the caller
 * then appends the event itself, and the ledger's checks name the problem.
 * results-entry.test.ts holds the two encodings to byte equality.
 */
export function resultsEntry(results: ResultRecord[], errors: Record<string, string>): PreparedEntry | undefined {
  if (!results.every(isCanonicalResult)) return undefined;
  let payload: PreparedEntry['payload'];
  let commitment = '';
  if (Object.keys(errors).length > 0) {
    const canonical = canonicalJson({ errors }, 'payload');
    if (canonical.length * 3 > MAX_PAYLOAD_BYTES) return undefined;
    payload = { salt: newSalt(), canonical };
    commitment = `"payload_commitment":"${payloadCommitment(payload.salt, canonical)}",`;
  }
  // The text itself is the entry (EntryBytes): the ledger encodes it where the batch is packed.
  const entry = `${HEAD}${JSON.stringify(results)}},${commitment}"time":"${nowIso()}","v":1}`;
  if (entryBytesOverLimit(entry) !== undefined) return undefined;
  return payload ? { entry, payload } : { entry };
}

const isWellFormed = (s: unknown): boolean => typeof s === 'string' && (s as string & { isWellFormed(): boolean }).isWellFormed();

/** Whether JSON.stringify writes this result as RFC 8785 does: the members ResultRecord names, in its order, and JSON-safe values. */
function isCanonicalResult(r: ResultRecord): boolean {
  const keys = Object.keys(r);
  const expected = r.sqlstate === undefined ? PLAIN_KEYS : SQLSTATE_KEYS;
  if (keys.length !== expected.length || !keys.every((k, i) => k === expected[i])) return false;
  return (
    Number.isFinite(r.duration_ms) &&
    Number.isFinite(r.entry) &&
    (r.rows === null || Number.isFinite(r.rows)) &&
    isWellFormed(r.session) &&
    (r.sqlstate === undefined || isWellFormed(r.sqlstate)) &&
    isWellFormed(r.status) &&
    Array.isArray(r.tags) &&
    r.tags.every(isWellFormed)
  );
}

const PLAIN_KEYS = ['duration_ms', 'entry', 'rows', 'session', 'status', 'tags'];
const SQLSTATE_KEYS = ['duration_ms', 'entry', 'rows', 'session', 'sqlstate', 'status', 'tags'];
