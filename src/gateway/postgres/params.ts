import type { RecordedParam } from '../audit.js';

/** Bind's parameter values as the `db.query` payload keeps them. */
export function recordParams(params: readonly (Buffer | null)[], formats: readonly number[]): RecordedParam[] {
  // Bind's format codes: none = all text, one = applies to all, else one per parameter
  // (PostgreSQL docs, "Message Formats" → Bind).
  return params.map((value, i) => {
    if (value === null) return null;
    const format = formats.length === 0 ? 0 : formats.length === 1 ? formats[0] : formats[i];
    return format === 1 ? { base64: value.toString('base64') } : value.toString('utf8');
  });
}
