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
  if (typeof value !== 'object' || value === null) return encode(value);
  const form = stringifiable(value, 0);
  return form === UNSURE ? encode(value) : JSON.stringify(form);
}

const MAX_FAST_DEPTH = 32;

/** What stringifiable returns for anything it leaves to encode(), which sorts it or names the problem. */
const UNSURE = Symbol('unsure');

/** Keys JSON.stringify lists before all others, in numeric order (array indices): "10" sorts before "9", but 9 comes first. */
const isIndexKey = (key: string) => key.charCodeAt(0) <= 57 && /^(?:0|[1-9][0-9]*)$/.test(key);

/**
 * The value in a form that JSON.stringify writes exactly as RFC 8785 does, or UNSURE.
 *
 * Most events are built with their members in canonical order already: then the form is the
 * value itself, nothing is copied, and JSON.stringify writes the canonical bytes in native code
 * for a third of the cost of building them in encode(). Objects with members out of order
 * (events from outside, e.g. `gatehouse ledger append`) are copied with them sorted, which
 * still costs a fifth less than encode(). UNSURE for anything not plainly JSON or that
 * JSON.stringify treats in its own way: lone surrogates in strings or keys, non-finite
 * numbers, objects that are not plain (Date, Map, class instances), arrays with a toJSON,
 * functions, symbols, bigints, an own "__proto__" key, array-index keys out of order, nesting
 * deeper than MAX_FAST_DEPTH.
 */
function stringifiable(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return (value as string & { isWellFormed(): boolean }).isWellFormed() ? value : UNSURE;
    case 'number':
      return Number.isFinite(value) ? value : UNSURE;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth >= MAX_FAST_DEPTH) return UNSURE;
      const proto = Object.getPrototypeOf(value);
      if (proto === Array.prototype) return stringifiableArray(value as unknown[], depth);
      if (proto !== Object.prototype && proto !== null) return UNSURE;
      return stringifiableRecord(value as Record<string, unknown>, depth);
    }
    default:
      return UNSURE;
  }
}

function stringifiableArray(array: unknown[], depth: number): unknown {
  if (Object.hasOwn(array, 'toJSON')) return UNSURE;
  let copy: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (item === undefined) continue; // JSON.stringify writes null, as encode() does
    const form = stringifiable(item, depth + 1);
    if (form === UNSURE) return UNSURE;
    if (form !== item) (copy ??= array.slice())[i] = form;
  }
  return copy ?? array;
}

function stringifiableRecord(record: Record<string, unknown>, depth: number): unknown {
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1]! < keys[i]!)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) keys.sort();
  // Out of order, the members go into a new object in order; in order, only if one changed.
  let copy: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === '__proto__' || (!sorted && isIndexKey(key))) return UNSURE;
    if (!(key as string & { isWellFormed(): boolean }).isWellFormed()) return UNSURE;
    const member = record[key];
    if (member === undefined) continue; // as JSON.stringify: an absent member
    const form = stringifiable(member, depth + 1);
    if (form === UNSURE) return UNSURE;
    if (copy) copy[key] = form;
    else if (form !== member) {
      copy = {};
      for (let j = 0; j < i; j++) if (record[keys[j]!] !== undefined) copy[keys[j]!] = record[keys[j]!];
      copy[key] = form;
    }
  }
  return copy ?? record;
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
