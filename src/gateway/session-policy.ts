import { evaluate } from '../policy/index.js';
import type { Decision, EvaluateInput, PolicyConnection, PolicyDenyRule, PolicyGrant, PolicyPrincipal } from '../policy/index.js';
import { classify, type Classification, type Engine } from '../sql/index.js';
import type { ControlPlane } from '../control/plane.js';
import { policyConnection, policyPrincipal } from '../control/decide.js';
import { statementShape } from './statement-shape.js';

/** Shapes remembered per session before the memory starts over. */
const MAX_SHAPES = 1000;

interface Snapshot {
  generation: number;
  loadedAt: number;
  /** The first instant after loading at which an expiry (principal, membership, grant) passes. */
  nextExpiry: number;
  /** Decisions by statement shape (statement-shape.ts); valid for this snapshot until nextExpiry. */
  decisions: Map<string, StatementDecision>;
  principal: PolicyPrincipal;
  connection: PolicyConnection;
  grants: PolicyGrant[];
  denyRules: PolicyDenyRule[];
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
 * passed, so a disabled
 * user, a removed membership or a revoked grant counts from the session's next statement;
 * expiries need no reload because evaluate() compares them with `now` every time.
 */
export class SessionPolicy {
  private snapshot: Snapshot | undefined;
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
    const s = this.snapshot;
    return !s || s.generation !== this.cp.generation || performance.now() - s.loadedAt > this.maxAgeMs;
  }

  async refresh(): Promise<void> {
    const generation = this.cp.generation;
    const now = this.cp.now();
    const [principal, connection] = await Promise.all([
      this.cp.identity.principalById(this.principalId, now),
      this.cp.connections.get(this.connectionName),
    ]);
    const previous = this.snapshot;
    // A deleted principal or connection denies everything from now on, with the reason it
    // would have had just before: the principal reads as disabled, the connection has no grants.
    const who: PolicyPrincipal = principal
      ? await policyPrincipal(this.cp, principal)
      : { ...(previous?.principal ?? emptyPrincipal(this.principalId)), status: 'disabled', groups: [] };
    const where = connection ? policyConnection(connection) : previous?.connection ?? deletedConnection(this.connectionName, this.engine);
    const grants = connection ? await this.cp.policy.policyGrants(who.groups.map((g) => g.groupId)) : [];
    const denyRules = await this.cp.policy.policyDenyRules();
    const nextExpiry = Math.min(
      ...[who.expiresAt, ...who.groups.map((g) => g.expiresAt), ...grants.map((g) => g.expiresAt)]
        .map((at) => (at === null ? Infinity : Date.parse(at)))
        .filter((at) => at > now.getTime()),
    );
    this.snapshot = { generation, loadedAt: performance.now(), nextExpiry, decisions: new Map(), principal: who, connection: where, grants, denyRules };
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
    const fresh = now.getTime() < snapshot.nextExpiry;
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

  private evaluate(snapshot: Snapshot, text: string, now: Date): StatementDecision {
    const input: EvaluateInput = {
      principal: snapshot.principal,
      connection: snapshot.connection,
      classification: classify(this.engine, text, { defaultSchema: this.schema }),
      grants: snapshot.grants,
      denyRules: snapshot.denyRules,
      now,
    };
    const groups = snapshot.principal.groups
      .filter((g) => g.expiresAt === null || Date.parse(g.expiresAt) > now.getTime())
      .map((g) => g.groupName);
    return { classification: input.classification, decision: evaluate(input), groups };
  }
}

function emptyPrincipal(id: string): PolicyPrincipal {
  return { id, name: id, kind: 'human', status: 'disabled', expiresAt: null, groups: [] };
}

function deletedConnection(name: string, engine: Engine): PolicyConnection {
  return { id: `deleted:${name}`, name, engine, tags: {} };
}
