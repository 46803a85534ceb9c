// The one-sentence denial messages a client sees (docs/policy.md, "Denial codes"). They name
// the principal, the privilege and the object, and say nothing about anyone else's access.
import { formatInstant } from './instant.js';
import type { Need } from './needs.js';
import { displayObject } from './pattern.js';
import type { PolicyConnection, PolicyPrincipal } from './types.js';

export function principalLabel(principal: PolicyPrincipal): string {
  return `${principal.kind === 'service' ? 'service account' : 'user'} ${principal.name}`;
}

export function disabledMessage(principal: PolicyPrincipal): string {
  return `${principalLabel(principal)} is disabled`;
}

export function expiredMessage(principal: PolicyPrincipal, at: Date | null): string {
  return at ? `${principalLabel(principal)} expired at ${formatInstant(at)}` : `${principalLabel(principal)} has expired`;
}

export function unparseableMessage(error: string, position?: number): string {
  const where = typeof position === 'number' ? ` (at position ${position})` : '';
  return `the statement could not be parsed, so it is denied: ${error}${where}`;
}

/** "write on public.orders", "admin on orders-prod as a whole", "access to orders-prod". */
export function needLabel(need: Need, connection: PolicyConnection): string {
  switch (need.kind) {
    case 'object':
      return `${need.privilege} on ${displayObject(need.schema, need.name)}`;
    case 'connection':
      return `${need.privilege} on ${connection.name} as a whole`;
    case 'reach':
      return `access to ${connection.name}`;
  }
}

export function missingPrivilegeMessage(label: string, principal: PolicyPrincipal): string {
  return `${label} is not granted to ${principal.name}`;
}

/**
 * Lists the principal's own patterns for that privilege, so they see what they can reach
 * instead of guessing; capped, because a message is one sentence.
 */
export function objectNotCoveredMessage(
  label: string,
  principal: PolicyPrincipal,
  privilege: string,
  patterns: readonly string[],
): string {
  const shown = patterns.slice(0, 4).join(', ');
  const more = patterns.length > 4 ? ` and ${patterns.length - 4} more` : '';
  return `${label} is not granted to ${principal.name}: their grants with ${privilege} cover ${shown}${more}`;
}

export function noGrantMessage(label: string, principal: PolicyPrincipal, connection: PolicyConnection, need: Need): string {
  if (need.kind === 'reach') return `${label} is not granted to ${principal.name}`;
  return `${label} is not granted to ${principal.name}: they have no grant on ${connection.name}`;
}

export function grantExpiredMessage(label: string, principal: PolicyPrincipal, until: Date): string {
  return `${label} was granted to ${principal.name} until ${formatInstant(until)} (expired)`;
}
