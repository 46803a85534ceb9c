// Checks for what administrators submit through the API or CLI. evaluate() tolerates bad
// stored data by failing closed; these refuse it at the door with a message that says how to
// write it instead. Both return every problem found (empty when valid); throw
// `new PolicyInputError(problems)` to answer with a problem document.
import { PRIVILEGES } from '../sql/types.js';
import type { ValidationProblem } from './errors.js';
import { parseInstant } from './instant.js';
import { compilePattern } from './pattern.js';
import { DENY_MATCH_KINDS, STATEMENT_CLASSES, STATEMENT_FLAGS } from './vocabulary.js';

export interface ValidateOptions {
  /** When given, an expiry at or before it is refused: such a grant would never count. */
  now?: Date;
}

/** Validates the administrator-supplied part of a grant: on, privileges, objects, expiresAt, reason. */
export function validateGrant(value: unknown, options: ValidateOptions = {}): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (!isRecord(value)) return [{ path: '', message: 'a grant must be an object with on, privileges and objects' }];
  problems.push(...validateSelector(value.on, 'on'));
  problems.push(...listOf(value.privileges, 'privileges', PRIVILEGES, 'privilege'));
  if (!Array.isArray(value.objects) || value.objects.length === 0) {
    problems.push({ path: 'objects', message: 'list at least one schema.table pattern, e.g. ["sales.*"]; ["*.*"] means every table' });
  } else {
    value.objects.forEach((text, i) => {
      const compiled = compilePattern(text as string);
      if (typeof compiled === 'string') problems.push({ path: `objects[${i}]`, message: compiled });
    });
  }
  problems.push(...validateExpiry(value.expiresAt, options.now));
  if (value.reason !== undefined && value.reason !== null && typeof value.reason !== 'string') {
    problems.push({ path: 'reason', message: 'reason must be a string or null' });
  }
  return problems;
}

/** Validates the administrator-supplied part of a deny rule: name, on, match, reason. */
export function validateDenyRule(value: unknown): ValidationProblem[] {
  if (!isRecord(value)) return [{ path: '', message: 'a deny rule must be an object with name, on and match' }];
  const problems: ValidationProblem[] = [];
  if (typeof value.name !== 'string' || value.name.trim() === '') {
    problems.push({ path: 'name', message: 'a deny rule needs a name; denials quote it' });
  }
  problems.push(...validateSelector(value.on, 'on'));
  const match = value.match;
  if (!isRecord(match) || !DENY_MATCH_KINDS.includes(match.kind as never)) {
    problems.push({ path: 'match.kind', message: `match.kind must be one of ${DENY_MATCH_KINDS.join(', ')}` });
  } else if (match.kind === 'classes') {
    problems.push(...listOf(match.classes, 'match.classes', STATEMENT_CLASSES, 'statement class'));
  } else if (match.kind === 'flags') {
    problems.push(...listOf(match.flags, 'match.flags', STATEMENT_FLAGS, 'flag'));
  }
  if (value.reason !== undefined && value.reason !== null && typeof value.reason !== 'string') {
    problems.push({ path: 'reason', message: 'reason must be a string or null' });
  }
  return problems;
}

/** Exactly one of {connection: name} or {tags: {...}} with at least one tag. */
export function validateSelector(value: unknown, path: string): ValidationProblem[] {
  const shape = 'give either {"connection": "<name>"} or {"tags": {"env": "prod"}}';
  if (!isRecord(value)) return [{ path, message: shape }];
  const byName = Object.hasOwn(value, 'connection');
  const byTags = Object.hasOwn(value, 'tags');
  if (byName === byTags) return [{ path, message: `${shape}, not ${byName ? 'both' : 'neither'}` }];
  if (byName) {
    return typeof value.connection === 'string' && value.connection !== ''
      ? []
      : [{ path: `${path}.connection`, message: 'the connection name must be a non-empty string' }];
  }
  const tags = value.tags;
  if (!isRecord(tags)) return [{ path: `${path}.tags`, message: 'tags must be an object of name → value strings' }];
  const entries = Object.entries(tags);
  if (entries.length === 0) {
    return [{ path: `${path}.tags`, message: 'list at least one tag; an empty tag selector would match nothing' }];
  }
  return entries.flatMap(([key, v]) =>
    key !== '' && typeof v === 'string' ? [] : [{ path: `${path}.tags`, message: `tag ${JSON.stringify(key)} needs a non-empty name and a string value` }],
  );
}

function validateExpiry(value: unknown, now: Date | undefined): ValidationProblem[] {
  if (value === undefined || value === null) return [];
  const at = typeof value === 'string' ? parseInstant(value) : null;
  if (!at) {
    return [{ path: 'expiresAt', message: 'expiresAt must be an ISO 8601 instant with a zone, e.g. 2026-01-01T00:00:00Z, or null' }];
  }
  if (now && at.getTime() <= now.getTime()) {
    return [{ path: 'expiresAt', message: `expiresAt ${value} is not in the future; the grant would never count` }];
  }
  return [];
}

function listOf(value: unknown, path: string, known: readonly string[], what: string): ValidationProblem[] {
  if (!Array.isArray(value) || value.length === 0) {
    return [{ path, message: `list at least one ${what}: ${known.join(', ')}` }];
  }
  const problems: ValidationProblem[] = [];
  const seen = new Set<unknown>();
  value.forEach((item, i) => {
    if (typeof item !== 'string' || !known.includes(item)) {
      problems.push({ path: `${path}[${i}]`, message: `unknown ${what} ${JSON.stringify(item)}; use one of ${known.join(', ')}` });
    } else if (seen.has(item)) {
      problems.push({ path: `${path}[${i}]`, message: `${item} is listed twice` });
    }
    seen.add(item);
  });
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
