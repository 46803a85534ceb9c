import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jcs, payloadCommitment, prepareEntry } from '../ledger/index.js';
import { resultsEntry, resultsEvent, type ResultRecord } from './results-entry.js';

const results: ResultRecord[] = [
  { duration_ms: 0.125, entry: 9, rows: 1, session: 'ses_1', status: 'ok', tags: ['SELECT 1'] },
  { duration_ms: 12, entry: 10, rows: null, session: 'ses_2', sqlstate: '42P01', status: 'error', tags: [] },
  { duration_ms: 1e-7, entry: 11, rows: 0, session: 'sës "2"', status: 'ok', tags: ['INSERT 0 0', 'tag\u2028 \\ "q"\u0001', '😀'] },
  { duration_ms: -0, entry: 12, rows: 123456789012, session: 'ses_3', status: 'not_run', tags: ['BEGIN'] },
];

/** The ledger's own encoding of the same event, with the built entry's salt and time. */
function ledgerEncoding(built: { entry: Buffer | string; payload?: { salt: Buffer; canonical: string } }, errors: Record<string, string>): string {
  const { payload, ...event } = resultsEvent(results, errors) as ReturnType<typeof resultsEvent> & { payload?: unknown };
  const time = JSON.parse(built.entry.toString()).time as string;
  if (payload === undefined) return jcs({ ...event, time, v: 1 });
  const canonical = jcs(payload);
  assert.equal(built.payload!.canonical, canonical);
  return jcs({ ...event, payload_commitment: payloadCommitment(built.payload!.salt, canonical), time, v: 1 });
}

test('a db.results entry is byte for byte what the ledger makes of the same event', () => {
  for (const errors of [{}, { '9': 'relation "x" does not exist', '10': 'sëcond\n', '100': '😀' }] as Record<string, string>[]) {
    const built = resultsEntry(results, errors)!;
    assert.ok(built, 'built');
    assert.equal(built.entry.toString(), ledgerEncoding(built, errors));
    assert.equal(built.payload === undefined, Object.keys(errors).length === 0);
    // And the ledger accepts it as a well-formed event.
    assert.doesNotThrow(() => prepareEntry(JSON.parse(built.entry.toString())));
  }
});

test('anything JSON.stringify would not write canonically is left to the ledger', () => {
  const base = results[0]!;
  const odd: ResultRecord[] = [
    { ...base, duration_ms: NaN },
    { ...base, rows: Infinity },
    { ...base, tags: ['lone \ud800 surrogate'] },
    { ...base, session: 'x\udfff' },
    { status: 'ok', duration_ms: 1, entry: 1, rows: 1, session: 's', tags: [] }, // members out of order
    { ...base, extra: 1 } as ResultRecord,
  ];
  for (const r of odd) assert.equal(resultsEntry([r], {}), undefined, JSON.stringify(r));
  // …and the ledger names the problem of such an event.
  assert.throws(() => prepareEntry(resultsEvent([{ ...base, tags: ['\ud800'] }], {})), /well-formed/);
});
