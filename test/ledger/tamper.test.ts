import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { folderWitness, readWitnessFolder, storeSource, verifyLog, type VerifyReport } from '../../src/ledger/index.js';
import { openStore } from '../../src/store/index.js';
import { ledgerRepo } from '../../src/ledger/index.js';
import { makeTestStore, STORE_KINDS, type StoreKind, type TestStore } from '../support/stores.js';
import { event, openTestLedger, witnessDirOf } from '../support/ledger.js';

/** 100 entries in four commits, a checkpoint after each (sizes 25, 50, 75, 100), all witnessed. */
async function populated(kind: StoreKind, alter?: (i: number) => Record<string, unknown>): Promise<TestStore> {
  const test = await makeTestStore(kind);
  await writeLog(test, alter);
  return test;
}

async function writeLog(test: TestStore, alter?: (i: number) => Record<string, unknown>, witness = true) {
  const t = await openTestLedger(test, { witnesses: witness ? [folderWitness(witnessDirOf(test))] : [] });
  for (let batch = 0; batch < 4; batch++) {
    await t.ledger.appendMany(Array.from({ length: 25 }, (_, j) => (alter ?? event)(batch * 25 + j)));
    await t.ledger.checkpoint();
  }
  await t.close();
}

async function verify(test: TestStore, withWitness = false): Promise<VerifyReport> {
  const store = await openStore(test.config);
  try {
    return await verifyLog(storeSource(ledgerRepo(store), test.kind), {
      witnessed: withWitness ? readWitnessFolder(witnessDirOf(test)) : [],
    });
  } finally {
    await store.close();
  }
}

/** Rewrites one entry's bytes in SQL: the same text edit on either engine. */
function editEntry(kind: StoreKind, index: number, from: string, to: string): string {
  return kind === 'sqlite'
    ? `UPDATE ledger_entries SET entry = CAST(replace(CAST(entry AS TEXT), '${from}', '${to}') AS BLOB) WHERE idx = ${index}`
    : `UPDATE ledger_entries SET entry = convert_to(replace(convert_from(entry, 'UTF8'), '${from}', '${to}'), 'UTF8') WHERE idx = ${index}`;
}

for (const kind of STORE_KINDS) {
  describe(`tamper detection on ${kind}`, () => {
    it('an intact log verifies, with its witness', async () => {
      const test = await populated(kind);
      const report = await verify(test, true);
      assert.deepEqual(report.problems, []);
      assert.equal(report.size, 100);
      assert.equal(report.checkpoints, 4);
      assert.equal(report.witnessCheckpoints, 4);
      await test.cleanup();
    });

    it('one changed byte in one entry is named by index', async () => {
      const test = await populated(kind);
      await test.tamper([editEntry(kind, 42, 'orders', 'ordert')]);
      const report = await verify(test);
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'entry_changed');
      assert.equal(report.problems[0]!.index, 42);
      await test.cleanup();
    });

    it('a changed entry whose leaf hash was recomputed too is caught by the stored nodes and checkpoints', async () => {
      const test = await populated(kind);
      const rehash =
        kind === 'sqlite'
          ? null
          : `UPDATE ledger_entries SET leaf_hash = sha256('\\x00'::bytea || entry) WHERE idx = 42`;
      await test.tamper([editEntry(kind, 42, 'orders', 'ordert'), ...(rehash ? [rehash] : [])]);
      if (kind === 'sqlite') {
        // SQLite has no SHA-256 function: recompute the leaf hash in JS, as an attacker would.
        const { leafHash } = await import('../../src/ledger/merkle/index.js');
        const store = await openStore(test.config);
        const [row] = await ledgerRepo(store).entries(42, 1);
        await store.close();
        await test.tamper([`UPDATE ledger_entries SET leaf_hash = X'${leafHash(row!.entry).toString('hex')}' WHERE idx = 42`]);
      }
      const report = await verify(test);
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.problems.map((p) => p.kind).sort(),
        ['checkpoint_mismatch', 'checkpoint_mismatch', 'checkpoint_mismatch', 'node_mismatch'].sort(),
      );
      const node = report.problems.find((p) => p.kind === 'node_mismatch' && p.message.includes('32..47'));
      assert.ok(node, JSON.stringify(report.problems));
      assert.match(report.problems.find((p) => p.kind === 'checkpoint_mismatch')!.message, /25\.\.49/);
      await test.cleanup();
    });

    it('a deleted entry is named by index', async () => {
      const test = await populated(kind);
      await test.tamper(['DELETE FROM ledger_entries WHERE idx = 42']);
      const report = await verify(test);
      assert.equal(report.problems[0]!.kind, 'entry_missing');
      assert.equal(report.problems[0]!.index, 42);
      await test.cleanup();
    });

    it('a truncated log is caught by the stored checkpoint, and by the witness when those are gone too', async () => {
      const test = await populated(kind);
      await test.tamper(['DELETE FROM ledger_entries WHERE idx >= 80']);
      const report = await verify(test);
      assert.equal(report.problems[0]!.kind, 'log_truncated');
      assert.equal(report.problems[0]!.index, 80);

      await test.tamper(['DELETE FROM ledger_checkpoints WHERE size > 80', 'DELETE FROM ledger_nodes WHERE idx * 16 >= 80']);
      assert.equal((await verify(test)).ok, true, 'without a witness a clean truncation looks like a shorter log');
      const witnessed = await verify(test, true);
      assert.equal(witnessed.problems[0]!.kind, 'log_truncated');
      assert.equal(witnessed.problems[0]!.index, 80);
      assert.match(witnessed.problems[0]!.message, /witness/);
      await test.cleanup();
    });

    it('two swapped entries are named', async () => {
      const test = await populated(kind);
      if (kind === 'sqlite') {
        await test.tamper([
          'CREATE TEMP TABLE t AS SELECT idx, entry FROM ledger_entries WHERE idx IN (10, 20)',
          'UPDATE ledger_entries SET entry = (SELECT entry FROM t WHERE t.idx = 30 - ledger_entries.idx) WHERE idx IN (10, 20)',
        ]);
      } else {
        await test.tamper([
          'UPDATE ledger_entries e SET entry = o.entry FROM ledger_entries o WHERE e.idx IN (10, 20) AND o.idx = 30 - e.idx',
        ]);
      }
      const report = await verify(test);
      assert.equal(report.problems[0]!.kind, 'entry_changed');
      assert.equal(report.problems[0]!.index, 10);
      assert.deepEqual(report.problems.filter((p) => p.kind === 'entry_changed').map((p) => p.index), [10, 20]);
      await test.cleanup();
    });

    it('a rewrite of the whole log re-signed with the same key passes alone but is caught by the witness', async () => {
      const test = await populated(kind);
      await test.tamper(['DELETE FROM ledger_entries', 'DELETE FROM ledger_nodes', 'DELETE FROM ledger_checkpoints']);
      // The attacker holds the signing key and rebuilds the log with entry 30 altered.
      await writeLog(test, (i) => (i === 30 ? event(i, { target: { connection: 'innocent' } }) : event(i)), false);
      assert.equal((await verify(test)).ok, true);
      const report = await verify(test, true);
      assert.equal(report.ok, false);
      assert.equal(report.problems[0]!.kind, 'log_forked');
      assert.equal(report.problems[0]!.index, 25);
      assert.match(report.problems[0]!.message, /25\.\.49/);
      await test.cleanup();
    });

    it('stored hashes read back run by run; a missing one is absent and a malformed one comes back as stored', async () => {
      const test = await populated(kind); // leaves 0..99; level-4 nodes 0..5
      const runs = [
        { level: 0, index: 16, count: 4 },
        { level: 0, index: 20, count: 1 },
        { level: 4, index: 1, count: 2 },
        { level: 4, index: 4, count: 2 },
        { level: 0, index: 98, count: 4 }, // past the end of the log
      ];
      const read = async () => {
        const store = await openStore(test.config);
        try {
          return await ledgerRepo(store).hashes(runs);
        } finally {
          await store.close();
        }
      };
      const intact = await read();
      assert.deepEqual(intact.map((run) => run.map((h) => h?.length)), [
        [32, 32, 32, 32],
        [32],
        [32, 32],
        [32, 32],
        [32, 32, undefined, undefined],
      ]);
      const shortened = kind === 'sqlite' ? 'substr(leaf_hash, 1, 31)' : 'substring(leaf_hash from 1 for 31)';
      await test.tamper([
        'DELETE FROM ledger_nodes WHERE level = 4 AND idx = 2',
        `UPDATE ledger_entries SET leaf_hash = ${shortened} WHERE idx = 17`,
      ]);
      const damaged = await read();
      const expected = intact.map((run) => [...run]);
      expected[0]![1] = intact[0]![1]!.subarray(0, 31);
      expected[2]![1] = undefined;
      assert.deepEqual(damaged, expected);
      await test.cleanup();
    });
  });
}
