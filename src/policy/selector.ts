import type { ConnectionSelector, PolicyConnection } from './types.js';

/**
 * How a selector relates to a connection. `invalid` covers selectors that validation
 * refuses but that may still reach evaluation from stored data: an empty tag set, both or
 * neither of `connection` and `tags`, non-string values. The caller resolves `invalid` in
 * its own safe direction: a grant then reaches nothing, a deny rule then applies everywhere.
 */
export type SelectorMatch = 'match' | 'no_match' | 'invalid';

export function matchSelector(selector: ConnectionSelector, connection: PolicyConnection): SelectorMatch {
  if (typeof selector !== 'object' || selector === null) return 'invalid';
  const byName = Object.hasOwn(selector, 'connection');
  const byTags = Object.hasOwn(selector, 'tags');
  if (byName === byTags) return 'invalid';
  if (byName) {
    const name = (selector as { connection: unknown }).connection;
    if (typeof name !== 'string' || name === '') return 'invalid';
    // Exact and case-sensitive: "Orders-Prod" is another connection.
    return name === connection.name ? 'match' : 'no_match';
  }
  const tags = (selector as { tags: unknown }).tags;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return 'invalid';
  const wanted = Object.entries(tags as Record<string, unknown>);
  // "Every listed tag" of an empty list is vacuously true, i.e. every connection; an empty
  // selector is far more likely a mistake than a wish to reach everything.
  if (wanted.length === 0) return 'invalid';
  const have: Record<string, string> = connection.tags ?? {};
  let result: SelectorMatch = 'match';
  for (const [key, value] of wanted) {
    if (typeof value !== 'string') return 'invalid';
    // Own properties only: a tag named "constructor" must not find Object.prototype's.
    if (!Object.hasOwn(have, key) || have[key] !== value) result = 'no_match';
  }
  return result;
}

/** `env=prod, tier=1` — tags in key order, for messages and explanations. */
export function describeTags(tags: Record<string, string>): string {
  const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '(no tags)';
}

export function describeSelector(selector: ConnectionSelector): string {
  if (typeof selector === 'object' && selector !== null) {
    if ('connection' in selector && typeof selector.connection === 'string') return `connection ${selector.connection}`;
    if ('tags' in selector && typeof selector.tags === 'object' && selector.tags !== null) {
      return `connections tagged ${describeTags(selector.tags)}`;
    }
  }
  return 'an invalid selector';
}
