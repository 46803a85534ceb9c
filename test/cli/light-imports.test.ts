import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');
const HEAVY = ['fastify', 'kysely', 'better-sqlite3', 'libpg-query', 'pg', '@peculiar/x509', '@electric-sql/pglite', 'zod'];

/** Every package a module loads at start-up, following its static (non-type) imports. */
function packagesLoadedBy(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)';/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) packagesLoadedBy(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen, packages);
    else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return packages;
}

test('the admin commands load none of the store, parser or server packages, so they start at once', () => {
  const admin = readdirSync(join(SRC, 'cli/admin')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(admin.length >= 10);
  for (const file of admin) {
    const loaded = [...packagesLoadedBy(join(SRC, 'cli/admin', file))].filter((p) => HEAVY.includes(p));
    assert.deepEqual(loaded, [], `cli/admin/${file} loads ${loaded.join(', ')}`);
  }
  // And the checker itself sees heavy imports where they are.
  assert.ok(packagesLoadedBy(join(SRC, 'cli/serve.ts')).has('fastify'));
});
