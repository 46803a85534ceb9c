import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Ledger } from '../ledger/index.js';
import type { MasterKey } from '../connections/master-key.js';
import { IdentityRepo } from '../identity/repo.js';
import { ConnectionRepo } from '../connections/repo.js';
import { PolicyRepo } from '../policy/repo.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from '../identity/password.js';
import { DEFAULT_SCRAM_ITERATIONS } from '../identity/scram.js';
import type { PrincipalKind, Role } from '../identity/model.js';

/** Who is making a change: recorded as the ledger event's actor. */
export interface Actor {
  id: string;
  kind: PrincipalKind | 'system';
  name: string;
  role: Role;
}

/** Changes made by Gatehouse itself (init, the demo seed). */
export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system', name: 'gatehouse', role: 'admin' };

export interface Target {
  type: 'user' | 'service_account' | 'group' | 'membership' | 'connection' | 'grant' | 'deny_rule' | 'token' | 'session';
  id: string;
  name?: string;
}

export interface ControlPlaneOptions {
  now?: () => Date;
  scryptCost?: ScryptCost;
  scramIterations?: number;
}

/**
 * The control plane's state and its audit trail, wired once at start-up. Every mutation goes
 * through `audited`: the ledger event is durable before the change is applied, so no change
 * exists without its record; if applying then fails, a second event says so.
 */
export class ControlPlane {
  readonly identity: IdentityRepo;
  readonly connections: ConnectionRepo;
  readonly policy: PolicyRepo;
  readonly scryptCost: ScryptCost;
  readonly scramIterations: number;
  private readonly clock: () => Date;
  private readonly changeListeners = new Set<(action: string, target: Target) => void>();
  private changes = 0;

  constructor(
    readonly db: Kysely<Database>,
    readonly ledger: Ledger,
    readonly masterKey: MasterKey,
    options: ControlPlaneOptions = {},
  ) {
    this.identity = new IdentityRepo(db);
    this.connections = new ConnectionRepo(db);
    this.policy = new PolicyRepo(db);
    this.clock = options.now ?? (() => new Date());
    this.scryptCost = options.scryptCost ?? DEFAULT_SCRYPT_COST;
    this.scramIterations = options.scramIterations ?? DEFAULT_SCRAM_ITERATIONS;
  }

  now(): Date {
    return this.clock();
  }

  /**
   * Counts the changes applied through this control plane. A cache of store reads (the
   * gateways' policy snapshots) stays valid only while this number stays the same, so a
   * change counts for live sessions from their next statement on.
   */
  get generation(): number {
    return this.changes;
  }

  /** Calls `listener` after every applied change; returns a function that removes it. */
  onChange(listener: (action: string, target: Target) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(action: string, target: Target): void {
    this.changes++;
    for (const listener of this.changeListeners) listener(action, target);
  }

  /**
   * Appends an `admin.*` event. The before/after of the change goes in the payload, kept apart
   * behind its commitment, because it may hold personal data (names, emails) that a lawful
   * erasure must be able to drop. Secrets never reach this function.
   */
  record(actor: Actor, action: string, target: Target, change: { before?: unknown; after?: unknown }, outcome?: object) {
    return this.ledger.append({
      actor: { id: actor.id, kind: actor.kind, name: actor.name },
      action,
      target: { ...target },
      ...(outcome ? { outcome: { ...outcome } } : {}),
      payload: { before: change.before ?? null, after: change.after ?? null },
    });
  }

  async audited<T>(
    actor: Actor,
    action: string,
    target: Target,
    change: { before?: unknown; after?: unknown },
    apply: () => Promise<T>,
  ): Promise<T> {
    await this.record(actor, action, target, change);
    try {
      const result = await apply();
      this.changed(action, target);
      return result;
    } catch (error) {
      this.changed(action, target); // a failed change may still have applied part of itself
      await this.record(actor, `${action}_failed`, target, {}, { status: 'failed', error: (error as Error).message });
      throw error;
    }
  }
}
