import { createHash, hash, randomFillSync } from 'node:crypto';
import { z } from 'zod';
import { EventError } from './errors.js';
import { jcs } from './jcs.js';
import { ACTION, COMMITMENT, isPlainEvent, nowIso, TIME, withDefaults } from './event-check.js';
import type { EntryBytes } from './repo/types.js';

/**
 * Limits, documented in docs/ledger.md. An entry is one leaf: it must stay small enough to
 * hash, store and ship in a bundle line; large data belongs in a separately kept payload.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

// Nested values are checked for JSON-ness by the canonical encoder (jcs), in the same pass
// that encodes them; a recursive schema here would walk every value twice.
const jsonObject = z.record(z.string(), z.unknown());

export const eventSchema = z
  .strictObject({
    v: z.literal(1).default(1),
    time: z
      .string()
      .regex(TIME, 'must be RFC 3339 UTC with milliseconds, e.g. 2026-01-31T12:00:00.000Z')
      .refine((t) => !Number.isNaN(Date.parse(t)), 'is not a real date')
      .default(nowIso),
    actor: z.looseObject({
      id: z.string().min(1),
      kind: z.enum(['human', 'service', 'system']),
      name: z.string().optional(),
      groups: z.array(z.string()).optional(),
    }),
    action: z.string().regex(ACTION, 'must be dotted lower-case words, e.g. db.query'),
    target: jsonObject.optional(),
    decision: jsonObject.optional(),
    outcome: jsonObject.optional(),
    context: jsonObject.optional(),
    payload: z.unknown().optional(),
    payload_commitment: z.string().regex(COMMITMENT, 'must be base64 of a 32-byte SHA-256').optional(),
  })
  .refine((e) => !(e.payload !== undefined && e.payload_commitment !== undefined), {
    message: 'an event carries either payload or payload_commitment, not both',
  });

export type LedgerEvent = z.output<typeof eventSchema>;
export type LedgerEventInput = z.input<typeof eventSchema>;

/**
 * An event ready to append: its leaf bytes (or the canonical text they encode, EntryBytes), and
 * the payload kept apart if any. The leaf hash is the store's work, done where it commits (the
 * SQLite writer thread, off the main thread).
 */
export interface PreparedEntry {
  entry: EntryBytes;
  payload?: { salt: Buffer; canonical: string };
}

export interface PrepareOptions {
  /** Keep `payload` apart behind a salted commitment (the default), or inline in the leaf. */
  separatePayload?: boolean;
}

/** Validates an event and turns it into the exact leaf bytes: the RFC 8785 canonical JSON. */
export function prepareEntry(input: unknown, options: PrepareOptions = {}): PreparedEntry {
  // The common, well-formed event takes the hand-checked path (a quarter of zod's cost). Anything
  // it is unsure of, and every failure, goes through the schema, so errors read exactly the same.
  const fast = isPlainEvent(input) ? tryPrepare(withDefaults(input) as LedgerEvent, options) : undefined;
  return fast ?? prepareParsed(parseEvent(input), options);
}

function parseEvent(input: unknown): LedgerEvent {
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EventError(issue.message, issue.path.map(String).join('.')); // a key may be a Symbol
  }
  return parsed.data;
}

function tryPrepare(event: LedgerEvent, options: PrepareOptions): PreparedEntry | undefined {
  try {
    return prepareParsed(event, options);
  } catch {
    return undefined; // let the schema path name the problem
  }
}

function prepareParsed(data: LedgerEvent, options: PrepareOptions): PreparedEntry {
  let kept: PreparedEntry['payload'];
  let leafEvent: Record<string, unknown> = data;
  if (data.payload !== undefined && options.separatePayload !== false) {
    const { payload, ...event } = data;
    const canonical = canonicalJson(payload, 'payload');
    if (Buffer.byteLength(canonical) > MAX_PAYLOAD_BYTES) {
      throw new EventError(`is larger than the limit of ${MAX_PAYLOAD_BYTES} bytes`, 'payload');
    }
    const salt = newSalt();
    kept = { salt, canonical };
    leafEvent = { ...event, payload_commitment: payloadCommitment(salt, canonical) };
  }
  const entry = canonicalJson(leafEvent, '');
  const over = entryBytesOverLimit(entry);
  if (over !== undefined) {
    throw new EventError(
      `the event is ${over} bytes, over the limit of ${MAX_ENTRY_BYTES}; keep large data in a separate payload`,
    );
  }
  return { entry, ...(kept && { payload: kept }) };
}

/**
 * The UTF-8 length of an entry's text when it is over MAX_ENTRY_BYTES, else undefined. A text
 * has at most 3 UTF-8 bytes per UTF-16 unit, so only one that could be over is measured.
 */
export function entryBytesOverLimit(text: string): number | undefined {
  if (text.length * 3 <= MAX_ENTRY_BYTES) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > MAX_ENTRY_BYTES ? bytes : undefined;
}

const SALT_BYTES = 32;
const SALT_POOL_BYTES = 128 * SALT_BYTES;
let saltPool = Buffer.alloc(0);
let saltOffset = 0;

/**
 * 32 fresh random bytes. They are cut from a pool filled 128 salts at a time (one call into
 * the CSPRNG instead of one per event); each pool is a new buffer, never refilled, so a
 * salt handed out earlier never changes.
 */
export function newSalt(): Buffer {
  if (saltOffset + SALT_BYTES > saltPool.length) {
    saltPool = randomFillSync(Buffer.allocUnsafe(SALT_POOL_BYTES));
    saltOffset = 0;
  }
  const salt = saltPool.subarray(saltOffset, saltOffset + SALT_BYTES);
  saltOffset += SALT_BYTES;
  return salt;
}

/** Payloads up to this many UTF-8 bytes are hashed in one call through a scratch buffer. */
const COMMITMENT_SCRATCH_MAX = 16 * 1024;
const commitmentInput = Buffer.alloc(SALT_BYTES + COMMITMENT_SCRATCH_MAX);

/**
 * payload_commitment = base64(SHA-256(salt ‖ canonical payload)); the salt stops guessing short
 * payloads. Short payloads (every statement's, usually) are copied behind the salt into a
 * module-level scratch buffer and hashed with one crypto.hash call, which costs about half of a
 * Hash object fed twice (see merkle/hash.ts); the scratch never leaves this function.
 */
export function payloadCommitment(salt: Uint8Array, canonicalPayload: string): string {
  if (salt.length === SALT_BYTES && canonicalPayload.length * 3 <= COMMITMENT_SCRATCH_MAX) {
    commitmentInput.set(salt, 0);
    const n = commitmentInput.write(canonicalPayload, SALT_BYTES, 'utf8');
    return hash('sha256', commitmentInput.subarray(0, SALT_BYTES + n), 'base64');
  }
  return createHash('sha256').update(salt).update(canonicalPayload, 'utf8').digest('base64');
}

/** RFC 8785 (JCS) text of a value, or an EventError saying why it has none. */
export function canonicalJson(value: unknown, path: string): string {
  try {
    return jcs(value);
  } catch (error) {
    throw new EventError((error as Error).message, path);
  }
}
