import { evaluate } from '../policy/index.js';
import type { Decision, EvaluateInput } from '../policy/index.js';
import { classify, type Classification, type Engine } from '../sql/index.js';
import type { ControlPlane } from '../control/plane.js';
import { policyLoader, type PolicyData, type PolicyLoader } from './policy-data.js';
import { statementShape } from './statement-shape.js';

/** Shapes remembered per session before the memory starts over. */
const MAX_SHAPES = 1000;

interface Snapshot {
  data: PolicyData;
  /** Decisions by statement shape (statement-shape.ts); valid for this snapshot until data.nextExpiry. */
  decisions: Map<string, StatementDecision>;
}

export interface StatementDecision {
  classification: Classification;
  decision: Decision;
  /** Names of the groups that counted for this decision (for the ledger's actor). */
  groups: string[];
}

/**
 * What one session's principal may do on its connection. The store is read once and then
 * again whenever the control plane reports a change (its generation moves) or a second has
 * passed, so a disabled user, a removed membership or a revoked grant counts from the
 * session's next statement; expiries need no reload because evaluate() compares them with
 * `now` every time. The sessions of one principal on one connection share those reads
 * (policy-data.ts), and a reload that finds the same policy keeps the decisions made on it.
 */
export class SessionPolicy {
  private snapshot: Snapshot | undefined;
  private readonly loader: PolicyLoader;
  /** MySQL: the session's current database (unqualified names live there); undefined for PostgreSQL. */
  private schema: string | undefined;

  constructor(
    private readonly cp: ControlPlane,
    private readonly principalId: string,
    private readonly connectionName: string,
    private readonly engine: Engine,
    private readonly maxAgeMs = 1000,
    defaultSchema?: string,
  ) {
    this.schema = defaultSchema;
    this.loader = policyLoader(cp);
  }

  /** The session's current database (MySQL), where unqualified names resolve. */
  get defaultSchema(): string | undefined {
    return this.schema;
  }

  /**
   * Call when the session's current database changes (MySQL `USE db` or COM_INIT_DB, once the
   * server accepted it). Decisions remembered by statement shape meant other tables: dropped.
   */
  setDefaultSchema(schema: string | undefined): void {
    if (schema === this.schema) return;
    this.schema = schema;
    this.snapshot?.decisions.clear();
  }

  /**
   * True when the next decision must wait for `refresh()`: this process changed something, or
   * the snapshot is older than `maxAgeMs` (changes made by another instance on a shared store).
   */
  get stale(): boolean {
    return !this.loader.isFresh(this.snapshot?.data, this.maxAgeMs);
  }

  async refresh(): Promise<void> {
    const data = await this.loader.load(this.principalId, this.connectionName, this.engine, this.maxAgeMs);
    const previous = this.snapshot;
    // Decisions made on the same policy still hold, unless an expiry has passed since they
    // were made (then nextExpiry has moved on, and what expired must count).
    const same = previous !== undefined && previous.data.fingerprint === data.fingerprint && previous.data.nextExpiry === data.nextExpiry;
    this.snapshot = { data, decisions: same ? previous.decisions : new Map() };
  }

  /**
   * Classifies and decides one statement text; call `refresh()` first when `stale`. Texts of
   * one shape (differing only in literal values) share one decision while the snapshot holds
   * and no expiry has passed.
   */
  decide(text: string): StatementDecision {
    const snapshot = this.snapshot;
    if (!snapshot) throw new Error('SessionPolicy.decide before refresh');
    const now = this.cp.now();
    const shape = statementShape(text, this.engine);
    const fresh = now.getTime() < snapshot.data.nextExpiry;
    if (shape !== null && fresh) {
      const known = snapshot.decisions.get(shape);
      if (known) return known;
    }
    const decided = this.evaluate(snapshot, text, now);
    if (shape !== null && fresh) {
      if (snapshot.decisions.size >= MAX_SHAPES) snapshot.decisions.clear();
      snapshot.decisions.set(shape, decided);
    }
    return decided;
  }

  private evaluate({ data }: Snapshot, text: string, now: Date): StatementDecision {
    const input: EvaluateInput = {
      principal: data.principal,
      connection: data.connection,
      classification: classify(this.engine, text, { defaultSchema: this.schema }),
      grants: data.grants,
      denyRules: data.denyRules,
      now,
    };
    const groups = data.principal.groups
      .filter((g) => g.expiresAt === null || Date.parse(g.expiresAt) > now.getTime())
      .map((g) => g.groupName);
    return { classification: input.classification, decision: evaluate(input), groups };
  }
}
