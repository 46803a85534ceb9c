// Which of a principal's grants reach a connection, and whether each still counts at `now`.
import type { Privilege } from '../sql/types.js';
import { earlier, endOf, isLive, type End } from './instant.js';
import { compilePattern, patternMatches, type ObjectPattern } from './pattern.js';
import { matchSelector } from './selector.js';
import type { PolicyConnection, PolicyGrant, PolicyPrincipal } from './types.js';
import { IMPLIED } from './vocabulary.js';

export interface GrantStanding {
  grant: PolicyGrant;
  /** The grant's known privileges as written (unknown strings from stored data are dropped). */
  held: Privilege[];
  /** What it allows: `held` with admin expanded to read, write and ddl. */
  allows: ReadonlySet<Privilege>;
  /** The grant's valid object patterns (invalid stored ones match nothing). */
  patterns: ObjectPattern[];
  /** Some pattern covers every relation (`*.*`): needed for a privilege on the connection as a whole. */
  coversAll: boolean;
  /** Counts at `now`: the grant and a membership in its group are both unexpired. */
  live: boolean;
  /** When it stops (or stopped) counting: the earlier of the grant's and the membership's expiry. */
  end: End;
}

/**
 * The principal's grants whose selector reaches the connection, live and expired, sorted by
 * grant id. A grant is left out (it never counts, and is not reported as expired either)
 * when the principal is not in its group, its selector does not match or is broken, it has
 * no known privilege or no valid object pattern, or an expiry cannot be read.
 */
export function grantStandings(
  principal: PolicyPrincipal,
  connection: PolicyConnection,
  grants: readonly PolicyGrant[],
  now: Date,
): GrantStanding[] {
  const memberships = membershipEnds(principal, now);
  const standings: GrantStanding[] = [];
  for (const grant of grants) {
    const membership = memberships.get(grant.groupId);
    if (!membership) continue;
    if (matchSelector(grant.on, connection) !== 'match') continue;
    const held = knownPrivileges(grant.privileges);
    const patterns = validPatterns(grant.objects);
    if (held.length === 0 || patterns.length === 0) continue;
    const end = earlier(endOf(grant.expiresAt), membership);
    if (end.kind === 'unreadable') continue;
    standings.push({
      grant,
      held,
      allows: new Set(held.flatMap((p) => IMPLIED[p])),
      patterns,
      coversAll: patterns.some((p) => p.coversAll),
      live: isLive(end, now),
      end,
    });
  }
  return standings.sort((a, b) => compareIds(a.grant.id, b.grant.id));
}

/** Whether the grant allows `privilege` on the relation schema.name. */
export function covers(standing: GrantStanding, privilege: Privilege, schema: string, name: string): boolean {
  return standing.allows.has(privilege) && standing.patterns.some((p) => patternMatches(p, schema, name));
}

/** Whether the grant allows `privilege` on the connection as a whole. */
export function coversConnection(standing: GrantStanding, privilege: Privilege): boolean {
  return standing.allows.has(privilege) && standing.coversAll;
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Per group, when the principal's membership ends. A principal may hold the same group twice
 * (say, a standing membership and a just-in-time one); the latest-ending readable one counts.
 */
function membershipEnds(principal: PolicyPrincipal, now: Date): Map<string, End> {
  const ends = new Map<string, End>();
  for (const membership of principal.groups ?? []) {
    const end = endOf(membership.expiresAt);
    if (end.kind === 'unreadable') continue;
    const seen = ends.get(membership.groupId);
    if (!seen || later(end, seen, now)) ends.set(membership.groupId, end);
  }
  return ends;
}

function later(a: End, b: End, now: Date): boolean {
  if (b.kind === 'never') return false;
  if (a.kind === 'never') return true;
  if (a.kind !== 'at' || b.kind !== 'at') return false;
  return a.at.getTime() > b.at.getTime() || (isLive(a, now) && !isLive(b, now));
}

function knownPrivileges(privileges: readonly unknown[] | undefined): Privilege[] {
  if (!Array.isArray(privileges)) return [];
  return privileges.filter((p): p is Privilege => typeof p === 'string' && Object.hasOwn(IMPLIED, p));
}

function validPatterns(objects: readonly unknown[] | undefined): ObjectPattern[] {
  if (!Array.isArray(objects)) return [];
  return objects
    .filter((text): text is string => typeof text === 'string')
    .map(compilePattern)
    .filter((p): p is ObjectPattern => typeof p !== 'string');
}
