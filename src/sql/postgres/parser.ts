// The real PostgreSQL parser (libpg_query, compiled to WebAssembly by libpg-query@17).
// The module loads asynchronously once; after that parsing is synchronous.
import { loadModule, parseSync } from 'libpg-query';

/** One raw statement as libpg_query returns it; offsets are in UTF-8 bytes. */
export interface RawStatement {
  stmt: unknown;
  stmt_location?: number;
  stmt_len?: number;
}

export type ParseOutcome = { ok: true; stmts: RawStatement[] } | { ok: false; error: string; position?: number };

let loading: Promise<void> | undefined;
let loaded = false;

/** Loads the parser; safe to call again (and to retry after a failure). */
export function loadParser(): Promise<void> {
  loading ??= loadModule().then(
    () => {
      loaded = true;
    },
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

export const parserLoaded = (): boolean => loaded;

interface SqlErrorLike {
  message?: unknown;
  sqlDetails?: { message?: unknown; cursorPosition?: unknown };
}

/** Parses `text` (non-empty, without NUL); syntax errors come back as values. */
export function parse(text: string): ParseOutcome {
  try {
    const tree = parseSync(text) as { stmts?: RawStatement[] };
    return { ok: true, stmts: tree.stmts ?? [] };
  } catch (err) {
    const e = (err ?? {}) as SqlErrorLike;
    const message = String(e.sqlDetails?.message ?? e.message ?? err);
    const cursor = e.sqlDetails?.cursorPosition;
    // libpg-query reports PostgreSQL's cursor position minus one (0-based characters); we
    // report it as PostgreSQL does in ErrorResponse field P: 1-based, in characters.
    return typeof cursor === 'number' && cursor >= 0 ? { ok: false, error: message, position: cursor + 1 } : { ok: false, error: message };
  }
}
