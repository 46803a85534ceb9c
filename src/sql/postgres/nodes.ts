// Small readers over libpg_query's JSON parse tree (PostgreSQL 17, protobuf JSON form).
// A field typed `Node` holds a one-key wrapper ({"RangeVar": {…}}); a field typed as a
// concrete struct (InsertStmt.relation, SelectStmt.withClause…) holds it bare.
// Field names: https://github.com/pganalyze/libpg_query/blob/17-latest/protobuf/pg_query.proto

/** Any object in the tree. */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The type name and body of a wrapped node, or undefined for anything else. */
export function unwrap(v: unknown): [string, Obj] | undefined {
  if (!isObj(v)) return undefined;
  // Hot path (every object of every tree): no key array, no regular expression.
  let key: string | undefined;
  for (const k in v) {
    if (key !== undefined) return undefined;
    key = k;
  }
  if (key === undefined) return undefined;
  const first = key.charCodeAt(0);
  if (first < 65 || first > 90) return undefined; // node types start with A-Z
  const body = v[key];
  return isObj(body) ? [key, body] : undefined;
}

/** The body if `v` is a wrapped node of that type. */
export function as(v: unknown, type: string): Obj | undefined {
  const u = unwrap(v);
  return u && u[0] === type ? u[1] : undefined;
}

/** A RangeVar, wrapped or bare (bare ones are recognised by their relname). */
export function asRangeVar(v: unknown): Obj | undefined {
  const wrapped = as(v, 'RangeVar');
  if (wrapped) return wrapped;
  return isObj(v) && typeof v['relname'] === 'string' && unwrap(v) === undefined ? v : undefined;
}

export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The text of a String node ({"String":{"sval":…}}). */
export const sval = (v: unknown): string | undefined => str(as(v, 'String')?.['sval']);

/** A list of String nodes as strings (qualified names); undefined if any item is not one. */
export function names(v: unknown): string[] | undefined {
  const items = list(as(v, 'List')?.['items'] ?? v);
  const out = items.map(sval);
  return out.length > 0 && out.every((s) => s !== undefined) ? (out as string[]) : undefined;
}

/** The string of an A_Const string literal, looking through casts ('s'::regclass). */
export function constString(v: unknown): string | undefined {
  const cast = as(v, 'TypeCast');
  if (cast) return constString(cast['arg']);
  const c = as(v, 'A_Const');
  return c ? str((c['sval'] as Obj | undefined)?.['sval']) : undefined;
}

/**
 * A qualified name written as text, the way regclass input reads it ('s', 'public.s',
 * '"My Seq"'): unquoted parts are folded to lower case (ASCII only, as PostgreSQL's
 * downcase_identifier does for UTF-8), quoted parts kept with "" unescaped.
 * Undefined if the text is not such a name.
 */
export function parseQualifiedName(text: string): string[] | undefined {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    let part = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) return undefined;
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        part += text[i];
      }
      i++;
      if (part === '') return undefined;
    } else {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i));
      if (!m) return undefined;
      part = m[0].replace(/[A-Z]/g, (ch) => ch.toLowerCase());
      i += m[0].length;
    }
    parts.push(part);
    if (i === text.length) return parts.length <= 3 ? parts : undefined;
    if (text[i] !== '.') return undefined;
    i++;
  }
}
