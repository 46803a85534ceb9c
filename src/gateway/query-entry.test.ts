import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jcs, payloadCommitment, prepareEntry } from '../ledger/index.js';
import { initSql } from '../sql/index.js';
import { classify } from '../sql/index.js';
import { queryEvent, type SessionIdentity } from './audit.js';
import { QueryEntryBuilder } from './query-entry.js';
import type { StatementDecision } from './session-policy.js';

const identity: SessionIdentity = {
  sessionId: 'ses_1',
  principal: { id: 'usr_1', name: 'zoë "the" admin', kind: 'human' },
  connection: { id: 'con_1', name: 'orders-prod', engine: 'postgres' },
  client: { address: '::1', port: 5555 },
  application: 'psql\u2028',
};

test('entries are byte for byte what the ledger makes of the same event', async () => {
  await initSql();
  const decisions: StatementDecision[] = [
    { classification: classify('postgres', 'SELECT * FROM "Orders" o JOIN x.y ON true'), decision: { allow: true, grants: ['gnt_b', 'gnt_a'] }, groups: ['analysts', 'émigrés'] },
    {
      classification: classify('postgres', 'DELETE FROM t'),
      decision: { allow: false, denial: { code: 'deny_rule', message: 'no "DELETE" without WHERE\n', statement: 0, denyRuleId: 'dny_1' } },
      groups: [],
    },
    { classification: classify('postgres', 'SELEC nonsense'), decision: { allow: false, denial: { code: 'unparseable', message: 'syntax error', statement: null } }, groups: ['a'] },
  ];
  const statements = [
    { protocol: 'simple', text: 'SELECT 1' },
    { protocol: 'extended', text: 'SELECT $1, $2, $3', params: ['tëxt', { base64: 'AAE=' }, null], name: 'stmt "1"' },
    { protocol: 'extended', text: '\u0000\ud83d\ude00 \\ "' },
  ];
  const builder = new QueryEntryBuilder(identity);
  for (const decided of decisions) {
    for (const statement of statements) {
      for (let repeat = 0; repeat < 2; repeat++) {
        const built = builder.build(decided, statement)!;
        const leaf = JSON.parse(built.entry.toString('utf8'));
        // The ledger's own encoding of the same event, with this entry's salt and time.
        const { payload, ...rest } = queryEvent(identity, decided, statement);
        const canonical = jcs(payload);
        assert.equal(built.payload!.canonical, canonical);
        const expected = jcs({ ...rest, payload_commitment: payloadCommitment(built.payload!.salt, canonical), time: leaf.time, v: 1 });
        assert.equal(built.entry.toString('utf8'), expected);
        // And the ledger accepts it as a well-formed event.
        assert.doesNotThrow(() => prepareEntry(leaf));
      }
    }
  }
});
