import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, test } from 'node:test';
import { eventSchema, payloadCommitment, prepareEntry, MAX_ENTRY_BYTES } from './event.js';
import { isPlainEvent, withDefaults } from './event-check.js';
import { EventError } from './errors.js';
import { jcs } from './jcs.js';

const base = () => ({
  time: '2026-01-31T12:00:00.000Z',
  actor: { id: 'u-1', kind: 'human', name: 'ann', groups: ['a', 'b'], extra: { x: 1 } },
  action: 'db.query',
  target: { connection: 'orders', n: 1 },
  decision: { allow: true },
  outcome: { rows: 3 },
  context: { session: 's-1' },
});

/** Each turns the valid event into one the schema may or may not accept. */
const mutations: ((e: Record<string, any>) => unknown)[] = [
  (e) => e,
  (e) => ({ ...e, v: 1 }),
  (e) => ({ ...e, v: 2 }),
  (e) => ({ ...e, time: undefined }),
  (e) => ({ ...e, time: '2026-13-45T12:00:00.000Z' }),
  (e) => ({ ...e, time: 'yesterday' }),
  (e) => ({ ...e, time: 5 }),
  (e) => ({ ...e, extra: 1 }),
  (e) => ({ ...e, actor: undefined }),
  (e) => ({ ...e, actor: { id: '', kind: 'human' } }),
  (e) => ({ ...e, actor: { id: 'x', kind: 'robot' } }),
  (e) => ({ ...e, actor: { id: 'x', kind: 'system', groups: ['a', 1] } }),
  (e) => ({ ...e, actor: { id: 'x', kind: 'system', groups: 'a' } }),
  (e) => ({ ...e, actor: { id: 'x', kind: 'system', name: 7 } }),
  (e) => ({ ...e, actor: [] }),
  (e) => ({ ...e, action: 'Not An Action' }),
  (e) => ({ ...e, action: 'single' }),
  (e) => ({ ...e, target: [] }),
  (e) => ({ ...e, target: 'x' }),
  (e) => ({ ...e, target: null }),
  (e) => ({ ...e, target: new Date(0) }),
  (e) => ({ ...e, target: { [Symbol('s')]: 1 } }),
  (e) => ({ ...e, context: JSON.parse('{"__proto__":{"a":1}}') }),
  (e) => ({ ...e, outcome: { n: NaN } }),
  (e) => ({ ...e, outcome: { s: 'a\ud800' } }),
  (e) => ({ ...e, payload: { sql: 'SELECT 1' } }),
  (e) => ({ ...e, payload_commitment: 'A'.repeat(43) + '=' }),
  (e) => ({ ...e, payload_commitment: 'short' }),
  (e) => ({ ...e, payload: 1, payload_commitment: 'A'.repeat(43) + '=' }),
  (e) => Object.assign(Object.create(null), e),
  () => null,
  () => [],
  () => 'event',
];

/** What the schema path makes of an input: its entry (time blanked), or the first error message. */
function schemaOutcome(input: unknown): { accepted: boolean; entry?: string; error?: string } {
  const parsed = eventSchema.safeParse(input);
  if (!parsed.success) return { accepted: false, error: parsed.error.issues[0]!.message };
  try {
    return { accepted: true, entry: jcs({ ...parsed.data, time: 'T' }) };
  } catch (error) {
    return { accepted: true, error: (error as Error).message };
  }
}

describe('event validation', () => {
  it('the fast path accepts only what the schema accepts, with the same canonical entry', () => {
    for (const [i, mutate] of mutations.entries()) {
      const input = mutate(base());
      const reference = schemaOutcome(input);
      if (!isPlainEvent(input)) continue;
      assert.ok(reference.accepted, `mutation ${i}: the fast path accepted what the schema refuses`);
      let fast: string | undefined;
      try {
        fast = jcs({ ...withDefaults(input), time: 'T' });
      } catch {
        continue; // prepareEntry then re-runs the schema path for the message
      }
      assert.equal(fast, reference.entry, `mutation ${i}`);
    }
  });

  it('refuses every bad event with the schema path message, naming the field', () => {
    for (const [i, mutate] of mutations.entries()) {
      const input = mutate(base());
      const reference = schemaOutcome(input);
      if (reference.error === undefined) {
        assert.ok(prepareEntry(input).entry.length > 0, `mutation ${i}`);
        continue;
      }
      assert.throws(() => prepareEntry(input), (e: unknown) => e instanceof EventError && e.message.includes(reference.error!), `mutation ${i}`);
    }
    assert.throws(() => prepareEntry({ ...base(), extra: 1 }), /extra/);
    assert.throws(() => prepareEntry({ ...base(), time: 'yesterday' }), /^EventError: time: must be RFC 3339/);
    assert.throws(() => prepareEntry({ ...base(), target: { blob: 'x'.repeat(MAX_ENTRY_BYTES) } }), /over the limit of 1048576/);
  });

  it('fills in v and the current time', () => {
    const before = Date.now();
    const { time: _, ...rest } = base();
    const entry = JSON.parse(prepareEntry(rest).entry.toString());
    assert.equal(entry.v, 1);
    assert.ok(Date.parse(entry.time) >= before - 1 && Date.parse(entry.time) <= Date.now());
    assert.match(entry.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

it('payload salts are distinct, and a salt handed out never changes as more are made', () => {
  const event = { actor: { id: 'u', kind: 'human' }, action: 'db.query', payload: { sql: 'SELECT 1' } };
  const first = prepareEntry(event).payload!.salt;
  const kept = Buffer.from(first);
  const salts = new Set<string>([first.toString('hex')]);
  for (let i = 0; i < 300; i++) salts.add(prepareEntry(event).payload!.salt.toString('hex'));
  assert.equal(salts.size, 301);
  assert.deepEqual(first, kept);
});

test('payload commitments are SHA-256(salt ‖ payload) on the one-call path and the streamed one', () => {
  const salt = Buffer.alloc(32, 7);
  for (const payload of ['{"sql":"SELECT 1"}', `{"sql":"${'é😀'.repeat(3000)}"}`, `{"sql":"${'x'.repeat(20_000)}"}`, '']) {
    const expected = createHash('sha256').update(salt).update(payload, 'utf8').digest('base64');
    assert.equal(payloadCommitment(salt, payload), expected);
  }
  // A later call must not see bytes of an earlier, longer one.
  assert.equal(payloadCommitment(salt, 'a'), createHash('sha256').update(salt).update('a').digest('base64'));
});
