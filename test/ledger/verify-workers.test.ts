import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerRepo, redactPayload, storeSource, verifyLog } from '../../src/ledger/index.js';
import { openStore } from '../../src/store/index.js';
import { makeTestStore, STORE_KINDS } from '../support/stores.js';
import { event, openTestLedger } from '../support/ledger.js';

for (const kind of STORE_KINDS) {
  describe(`verify with worker threads on ${kind}`, () => {
    it('reports exactly what verify on one thread reports, problems included', async () => {
      const test = await makeTestStore(kind);
      const t = await openTestLedger(test);
      for (let page = 0; page < 3; page++) {
        await t.ledger.appendMany(
          Array.from({ length: 400 }, (_, i) => event(page * 400 + i, i % 7 === 0 ? { payload: { sql: `SELECT ${i}` } } : {})),
        );
        await t.ledger.checkpoint();
      }
      await redactPayload(t.ledger, 7, 'erasure', { id: 'dpo', kind: 'human' });
      await t.close();

      const check = async () => {
        const store = await openStore(test.config);
        try {
          const source = storeSource(ledgerRepo(store), kind);
          const inline = await verifyLog(source, { workers: 0 });
          const threaded = await verifyLog(source, { workers: 2 });
          assert.deepEqual(threaded, inline);
          return inline;
        } finally {
          await store.close();
        }
      };
      const intact = await check();
      assert.deepEqual(intact.problems, []);
      assert.deepEqual(intact.payloads, { held: 173, redacted: 1 });

      const hex = kind === 'sqlite' ? "X'00'" : "'\\x00'::bytea";
      await test.tamper([
        `UPDATE ledger_entries SET leaf_hash = ${hex} WHERE idx = 3`, // a stored hash of another length
        `UPDATE ledger_payloads SET payload = '{"sql":"SELECT 0 -- changed"}' WHERE idx = 14`,
        'DELETE FROM ledger_entries WHERE idx = 1000',
      ]);
      const tampered = await check();
      assert.deepEqual(
        tampered.problems.map((p) => [p.kind, p.index]),
        [['entry_changed', 3], ['payload_mismatch', 14], ['entry_missing', 1000]],
      );
      await test.cleanup();
    });
  });
}
