import type { PolicyConnection, PolicyDenyRule, PolicyGrant, PolicyPrincipal } from '../policy/index.js';
import type { Engine } from '../sql/index.js';
import type { ControlPlane } from '../control/plane.js';
import { policyConnection, policyPrincipal } from '../control/decide.js';

/** What a session's decisions rest on: its principal, connection, grants and deny rules as the store had them. */
export interface PolicyData {
  generation: number;
  /** performance.now() when it was read from the store. */
  loadedAt: number;
  /** The first instant after loading at which an expiry (principal, membership, grant) passes. */
  nextExpiry: number;
  principal: PolicyPrincipal;
  connection: PolicyConnection;
  grants: PolicyGrant[];
  denyRules: PolicyDenyRule[];
  /** Equal for two loads with equal contents: decisions made on one hold for the other. */
  fingerprint: string;
}

interface Slot {
  data?: PolicyData;
  loading?: Promise<PolicyData>;
}

/** Slots kept before the idle ones are dropped. */
const MAX_SLOTS = 1000;
/** A slot whose data is older than this is idle: every live session would have refreshed it. */
const IDLE_MS = 60_000;

/**
 * Reads PolicyData for (principal, connection) pairs, once for all the sessions of a pair:
 * a user with eight sessions costs one read of the store per refresh, not eight, and a
 * refresh asked for while one is under way joins it. Data is shared only while it is
 * fresh for the caller: same control-plane generation and younger than the caller's
 * `maxAgeMs`, counted from when it was read, so a session never decides on data older
 * than its bound.
 */
export class PolicyLoader {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly cp: ControlPlane) {}

  isFresh(data: PolicyData | undefined, maxAgeMs: number): data is PolicyData {
    return data !== undefined && data.generation === this.cp.generation && performance.now() - data.loadedAt <= maxAgeMs;
  }

  /** Fresh data for the pair: shared if another session read it lately, else read now. */
  load(principalId: string, connectionName: string, engine: Engine, maxAgeMs: number): Promise<PolicyData> {
    const key = `${principalId}\u0000${connectionName}`;
    let slot = this.slots.get(key);
    if (!slot) {
      if (this.slots.size >= MAX_SLOTS) this.dropIdle();
      slot = {};
      this.slots.set(key, slot);
    }
    if (this.isFresh(slot.data, maxAgeMs)) return Promise.resolve(slot.data);
    if (slot.loading) return slot.loading;
    const current = slot;
    current.loading = this.read(principalId, connectionName, engine, current.data).then(
      (data) => {
        current.loading = undefined;
        return (current.data = data);
      },
      (error: unknown) => {
        current.loading = undefined;
        throw error;
      },
    );
    return current.loading;
  }

  /** Drops the slots no session has refreshed lately (nothing loading, data a minute old or of an earlier generation). */
  private dropIdle(): void {
    for (const [key, slot] of this.slots) if (!slot.loading && !this.isFresh(slot.data, IDLE_MS)) this.slots.delete(key);
  }

  private async read(principalId: string, connectionName: string, engine: Engine, previous: PolicyData | undefined): Promise<PolicyData> {
    const cp = this.cp;
    const generation = cp.generation;
    const now = cp.now();
    const [principal, connection] = await Promise.all([cp.identity.principalById(principalId, now), cp.connections.get(connectionName)]);
    // A deleted principal or connection denies everything from now on, with the reason it
    // would have had just before: the principal reads as disabled, the connection has no grants.
    const who: PolicyPrincipal = principal
      ? await policyPrincipal(cp, principal)
      : { ...(previous?.principal ?? emptyPrincipal(principalId)), status: 'disabled', groups: [] };
    const where = connection ? policyConnection(connection) : previous?.connection ?? deletedConnection(connectionName, engine);
    const grants = connection ? await cp.policy.policyGrants(who.groups.map((g) => g.groupId)) : [];
    const denyRules = await cp.policy.policyDenyRules();
    const nextExpiry = Math.min(
      ...[who.expiresAt, ...who.groups.map((g) => g.expiresAt), ...grants.map((g) => g.expiresAt)]
        .map((at) => (at === null ? Infinity : Date.parse(at)))
        .filter((at) => at > now.getTime()),
    );
    const fingerprint = JSON.stringify([who, where, grants, denyRules]);
    return { generation, loadedAt: performance.now(), nextExpiry, principal: who, connection: where, grants, denyRules, fingerprint };
  }
}

function emptyPrincipal(id: string): PolicyPrincipal {
  return { id, name: id, kind: 'human', status: 'disabled', expiresAt: null, groups: [] };
}

function deletedConnection(name: string, engine: Engine): PolicyConnection {
  return { id: `deleted:${name}`, name, engine, tags: {} };
}

const loaders = new WeakMap<ControlPlane, PolicyLoader>();

/** The loader of a control plane's gateways (one per process and store). */
export function policyLoader(cp: ControlPlane): PolicyLoader {
  let loader = loaders.get(cp);
  if (!loader) loaders.set(cp, (loader = new PolicyLoader(cp)));
  return loader;
}
