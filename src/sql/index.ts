// sql/: what a SQL string does, from the engine's real parser. classify(engine, text) gives
// one record per statement (class, objects with privileges, functions, flags, needs) for
// the policy engine and the ledger. See docs/sql.md.
import { LruCache } from './cache.js';
import { SqlNotReadyError } from './errors.js';
import { classifyMysql } from './mysql/classify.js';
import { classifyPostgres } from './postgres/classify.js';
import { loadParser, parserLoaded } from './postgres/parser.js';
import type { Classification, Engine } from './types.js';

export type { Classification, ClassifiedStatement, Engine, ObjectAccess, Privilege, StatementClass, StatementFlag } from './types.js';
export { PRIVILEGES } from './types.js';
export { SqlNotReadyError } from './errors.js';

/** Cache bounds: 10,000 statements, at most 8 Mi characters of statement text in all. */
export const CACHE_LIMITS = { maxEntries: 10_000, maxChars: 8 * 1024 * 1024 } as const;

const caches: Record<Engine, LruCache<Classification>> = {
  postgres: new LruCache(CACHE_LIMITS),
  mysql: new LruCache(CACHE_LIMITS),
};

/** Loads the parsers. Await once at start-up; calling it again is harmless. */
export async function initSql(): Promise<void> {
  await loadParser();
}

export interface ClassifyOptions {
  /**
   * MySQL: the session's current database, where unqualified table names live. Without it a
   * statement that names a table without its database is refused ('no database selected',
   * as MySQL's ER_NO_DB_ERROR). PostgreSQL ignores it: unqualified names are in public.
   */
  defaultSchema?: string | undefined;
}

/**
 * Classifies every statement in `text`. Never throws for any input text; throws
 * SqlNotReadyError if initSql() has not completed. Results are cached by exact text (for
 * MySQL: by default schema and text) and frozen, so callers share them safely (and cannot
 * change what the next caller sees). An error's `position` is 1-based, in characters.
 */
export function classify(engine: Engine, text: string, options: ClassifyOptions = {}): Classification {
  // Engine comes from configuration: an unknown one is denied, not guessed.
  if (!Object.hasOwn(caches, engine)) return { ok: false, error: `unknown engine ${JSON.stringify(engine)}` };
  const cache = caches[engine];
  // The same text means different tables in different databases. A database name cannot
  // contain U+0000 (nor can a text that classifies), so the key cannot collide.
  const key = engine === 'mysql' ? `${options.defaultSchema ?? ''}\u0000${options.defaultSchema === undefined ? '-' : '+'}${text}` : text;
  const cached = cache.get(key);
  if (cached) return cached;
  const result = deepFreeze(classifyUncached(engine, text, options));
  cache.set(key, result);
  return result;
}

function classifyUncached(engine: Engine, text: string, options: ClassifyOptions): Classification {
  switch (engine) {
    case 'postgres':
      if (!parserLoaded()) throw new SqlNotReadyError('PostgreSQL');
      return classifyPostgres(text);
    case 'mysql':
      return classifyMysql(text, { defaultSchema: options.defaultSchema });
  }
}

/** Cache counters, for tests and metrics. */
export function sqlCacheStats(engine: Engine): { size: number; hits: number; misses: number } {
  const cache = caches[engine];
  return { size: cache.size, hits: cache.hits, misses: cache.misses };
}

/** Empties the caches (tests). */
export function clearSqlCache(): void {
  for (const cache of Object.values(caches)) cache.clear();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
