/**
 * RFC 8785 JSON Canonicalization Scheme, the encoding of every ledger entry.
 *
 * It sits on the append hot path (one call per audit event), where the general-purpose
 * `canonicalize` package cost a third of the CPU; this is the same algorithm without the
 * per-call bookkeeping. Tests hold it to byte equality with that package on random values.
 *
 * - §3.2.2.2 strings: JSON.stringify's escaping is exactly JCS's (ES2019+).
 * - §3.2.2.3 numbers: ECMAScript Number serialization, which JSON.stringify uses (-0 → 0).
 * - §3.2.3 members sorted by their UTF-16 code units: Array.prototype.sort's default order.
 * - §3.2.2 / I-JSON: strings must be well-formed Unicode; non-finite numbers are refused.
 */
export class NotJsonError extends Error {
  override name = 'NotJsonError';
}

export function jcs(value: unknown): string {
  // Most events are built with their members in canonical order already: then JSON.stringify
  // writes exactly the canonical bytes, in native code, for a third of the cost of building them here.
  return typeof value === 'object' && value !== null && isStringifyCanonical(value, 0) ? JSON.stringify(value) : encode(value);
}

const MAX_FAST_DEPTH = 32;

/**
 * Whether JSON.stringify(value) is already the RFC 8785 form: plain objects whose own keys come
 * in code-unit order (Object.keys lists integer-like keys first, so "10" before "9" fails the
 * check), well-formed strings and keys, finite numbers, booleans, null, plain arrays; nothing
 * JSON.stringify treats in its own way (toJSON, functions, symbols, bigints, non-finite numbers,
 * lone surrogates). Anything else is left to encode(), which sorts or names the problem.
 */
function isStringifyCanonical(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
      return (value as string & { isWellFormed(): boolean }).isWellFormed();
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_FAST_DEPTH) return false;
      const proto = Object.getPrototypeOf(value);
      if (proto === Array.prototype) {
        const array = value as unknown[];
        for (let i = 0; i < array.length; i++) {
          const item = array[i];
          if (item !== undefined && !isStringifyCanonical(item, depth + 1)) return false;
        }
        return !Object.hasOwn(array, 'toJSON');
      }
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        if (i > 0 && !(keys[i - 1]! < key)) return false;
        if (!PLAIN.test(key) && !(key as string & { isWellFormed(): boolean }).isWellFormed()) return false;
        const member = record[key];
        if (member !== undefined && !isStringifyCanonical(member, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return string(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJsonError(`${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += value[i] === undefined ? 'null' : jcs(value[i]);
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new NotJsonError(`a ${proto?.constructor?.name ?? 'non-plain'} object is not a JSON value`);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      // Members often come in order already (ledger events are built in canonical order): a
      // scan costs half a sort.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const member = record[key];
        if (member === undefined) continue; // as JSON.stringify: an absent member
        if (out.length > 1) out += ',';
        out += `${string(key)}:${jcs(member)}`;
      }
      return `${out}}`;
    }
    default:
      throw new NotJsonError(`a ${typeof value} is not a JSON value`);
  }
}

/** Printable ASCII but `"` and `\`: JSON.stringify would copy these strings unchanged (most strings in events). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function string(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  if (!(s as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new NotJsonError('a string that is not well-formed Unicode (lone surrogate) has no canonical JSON form');
  }
  return JSON.stringify(s);
}
