// A principal's effective access: per connection, what they can do on which objects and
// through which grants. The admin API's inventory and access reviews read this; it uses the
// same standings as evaluate(), so the inventory cannot claim more or less than decisions allow.
import { PRIVILEGES, type Privilege } from '../sql/types.js';
import { endOf, formatInstant, isLive } from './instant.js';
import { compareIds, grantStandings, type GrantStanding } from './standing.js';
import type { PolicyConnection, PolicyGrant, PolicyPrincipal } from './types.js';
import { IMPLIED } from './vocabulary.js';

export interface EffectivePrivilege {
  privilege: Privilege;
  /** Canonical patterns, sorted; just `*.*` when some grant covers everything. */
  objects: string[];
  /** The grants it comes through (directly, or through admin), sorted. */
  grants: string[];
}

export interface EffectiveGrant {
  id: string;
  groupId: string;
  groupName: string;
  /** As granted (admin is not expanded here). */
  privileges: Privilege[];
  objects: string[];
  /** When it stops counting: the earlier of the grant's and the membership's expiry; null for never. */
  until: string | null;
  reason: string | null;
}

export interface EffectiveAccess {
  connectionId: string;
  connectionName: string;
  /** In the order read, write, ddl, admin; admin's implied privileges included. */
  privileges: EffectivePrivilege[];
  grants: EffectiveGrant[];
}

/**
 * The connections the principal can use at `now`, with what they hold on each. Connections
 * with no live grant are left out; a principal who is not active, or has expired, holds nothing.
 */
export function effectivePrivileges(
  principal: PolicyPrincipal,
  connections: readonly PolicyConnection[],
  grants: readonly PolicyGrant[],
  now: Date,
): EffectiveAccess[] {
  if (principal.status !== 'active' || !isLive(endOf(principal.expiresAt), now)) return [];
  const result: EffectiveAccess[] = [];
  for (const connection of connections) {
    const live = grantStandings(principal, connection, grants, now).filter((s) => s.live);
    if (live.length === 0) continue;
    result.push({
      connectionId: connection.id,
      connectionName: connection.name,
      privileges: PRIVILEGES.flatMap((privilege) => held(privilege, live)),
      grants: live.map(describe),
    });
  }
  return result.sort((a, b) => compareIds(a.connectionName, b.connectionName) || compareIds(a.connectionId, b.connectionId));
}

function held(privilege: Privilege, live: readonly GrantStanding[]): EffectivePrivilege[] {
  const through = live.filter((s) => s.held.some((p) => IMPLIED[p].includes(privilege)));
  if (through.length === 0) return [];
  const all = through.some((s) => s.coversAll);
  const objects = all ? ['*.*'] : [...new Set(through.flatMap((s) => s.patterns.map((p) => p.text)))].sort(compareIds);
  return [{ privilege, objects, grants: through.map((s) => s.grant.id) }];
}

function describe(s: GrantStanding): EffectiveGrant {
  return {
    id: s.grant.id,
    groupId: s.grant.groupId,
    groupName: s.grant.groupName,
    privileges: [...s.held],
    objects: s.patterns.map((p) => p.text),
    until: s.end.kind === 'at' ? formatInstant(s.end.at) : null,
    reason: s.grant.reason ?? null,
  };
}
