// Expiry instants. Stored as ISO 8601 strings; compared against the caller's `now`, never
// against a clock read here, so that a decision can be replayed exactly.

/** The instant an ISO 8601 string names, or null when it names none. */
export function parseInstant(text: string): Date | null {
  // Date.parse accepts more than ISO 8601 (e.g. "March 7"); require the ISO date shape and an
  // explicit zone so that "2026-01-01" is not silently read in the server's local time.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * When something stops counting: null for never, otherwise the instant. An unreadable
 * expiry counts as already passed (fail closed); `unreadable` tells the two apart.
 */
export type End = { kind: 'never' } | { kind: 'at'; at: Date } | { kind: 'unreadable' };

export function endOf(expiresAt: string | null | undefined): End {
  if (expiresAt === null || expiresAt === undefined) return { kind: 'never' };
  if (typeof expiresAt !== 'string') return { kind: 'unreadable' };
  const at = parseInstant(expiresAt);
  return at ? { kind: 'at', at } : { kind: 'unreadable' };
}

/** Live means strictly before the end: at exactly `expiresAt` the thing has expired. */
export function isLive(end: End, now: Date): boolean {
  return end.kind === 'never' || (end.kind === 'at' && end.at.getTime() > now.getTime());
}

/** The earlier of two ends (a grant counts until its own expiry or its membership's). */
export function earlier(a: End, b: End): End {
  if (a.kind === 'unreadable' || b.kind === 'unreadable') return { kind: 'unreadable' };
  if (a.kind === 'never') return b;
  if (b.kind === 'never') return a;
  return a.at.getTime() <= b.at.getTime() ? a : b;
}

/** RFC 3339 UTC, milliseconds only when there are any: 2026-01-01T00:00:00Z. */
export function formatInstant(at: Date): string {
  return at.toISOString().replace(/\.000Z$/, 'Z');
}
