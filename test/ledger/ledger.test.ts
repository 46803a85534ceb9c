import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { leafHash, rangeHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/index.js';
import { openCheckpoint, parseVerifierKey } from '../../src/ledger/note/index.js';
import {
  consistencyProof,
  inclusionProof,
  Ledger,
  redactPayload,
  storeSource,
  verifyLog,
} from '../../src/ledger/index.js';
import { loadFrontier, rootAt } from '../../src/ledger/tree-store.js';
import { makeTestStore, STORE_KINDS, type TestStore } from '../support/stores.js';
import { event, openTestLedger, TEST_KEY, TEST_SIGNER, trackInFlight } from '../support/ledger.js';

const b = (s: string) => Buffer.from(s, 'base64');

for (const kind of STORE_KINDS) {
  describe(`ledger on ${kind}`, () => {
    let test: TestStore;
    before(async () => {
      test = await makeTestStore(kind);
    });
    after(async () => test.cleanup());

    /** Opens the store afresh and verifies the whole log, which must hold `size` entries. */
    async function assertVerifies(size: number): Promise<void> {
      const check = await openTestLedger(test);
      const report = await verifyLog(storeSource(check.repo, kind));
      assert.deepEqual(report.problems, []);
      assert.equal(report.size, size);
      await check.close();
    }

    it('appends concurrently with group commit, in order, durable and canonical', async () => {
      const t = await openTestLedger(test);
      const indexes = await Promise.all(Array.from({ length: 300 }, (_, i) => t.ledger.append(event(i))));
      assert.deepEqual(indexes, Array.from({ length: 300 }, (_, i) => i));
      assert.equal(await t.repo.size(), 300);
      const [row] = await t.repo.entries(5, 1);
      // RFC 8785: keys sorted, no whitespace; v and time are filled in.
      assert.equal(
        row!.entry.toString(),
        '{"action":"db.query","actor":{"id":"u-0","kind":"human","name":"user0"},"target":{"connection":"orders","n":5},"time":"2026-01-01T00:00:00.005Z","v":1}',
      );
      assert.deepEqual(row!.leafHash, leafHash(row!.entry));
      await t.close();
    });

    it('signs a checkpoint whose root is the RFC 9162 root of the stored entries', async () => {
      const t = await openTestLedger(test);
      const cp = (await t.ledger.checkpoint())!;
      const { checkpoint } = openCheckpoint(cp.note, [parseVerifierKey(TEST_KEY.verifierKey)]);
      const leaves = (await t.repo.entries(0, 10_000)).map((r) => leafHash(r.entry));
      assert.equal(checkpoint.size, 300);
      assert.deepEqual(checkpoint.rootHash, rootFromLeafHashes(leaves));
      assert.deepEqual(await rootAt(t.repo, 300), rootFromLeafHashes(leaves));
      await t.close();
    });

    it('serves inclusion and consistency proofs from stored hashes that verify', async () => {
      const t = await openTestLedger(test);
      const leaves = (await t.repo.entries(0, 10_000)).map((r) => leafHash(r.entry));
      for (const size of [1, 2, 15, 16, 17, 255, 256, 257, 300]) {
        const root = rangeHash(leaves, 0, size);
        for (const index of new Set([0, 1, size >> 1, size - 2, size - 1].filter((i) => i >= 0 && i < size))) {
          const proof = await inclusionProof(t.repo, index, size);
          assert.ok(verifyInclusion(index, size, b(proof.leaf_hash), proof.hashes.map(b), root), `inclusion ${index}/${size}`);
        }
        for (const from of [0, 1, 7, 16, size - 1, size]) {
          if (from > size || from < 0) continue;
          const proof = await consistencyProof(t.repo, from, size);
          assert.ok(
            verifyConsistency(from, size, proof.hashes.map(b), rangeHash(leaves, 0, from), root),
            `consistency ${from}→${size}`,
          );
        }
      }
      await assert.rejects(inclusionProof(t.repo, 300, 300), /index must be between 0 and 299/);
      await assert.rejects(inclusionProof(t.repo, 0, 301), /size must be between 1 and the log size 300/);
      await t.close();
    });

    it('a malformed event makes append reject (not throw), and nothing is queued', async () => {
      const t = await openTestLedger(test);
      let pending: Promise<number> | undefined;
      assert.doesNotThrow(() => (pending = t.ledger.append({ ...event(1), action: 'Not An Action' })));
      await assert.rejects(pending!, /action/);
      await t.ledger.drain();
      assert.equal(await t.repo.size(), 300);
      await t.close();
    });

    it('appendMany is all or nothing', async () => {
      const t = await openTestLedger(test);
      await assert.rejects(t.ledger.appendMany([event(1), { ...event(2), action: 'Not An Action' }]), /action/);
      assert.equal(await t.repo.size(), 300);
      assert.deepEqual(await t.ledger.appendMany([event(301), event(302)]), [300, 301]);
      await t.close();
    });

    it('keeps payloads apart behind a commitment, and redacts them with a ledger event', async () => {
      const t = await openTestLedger(test);
      const index = await t.ledger.append(event(400, { payload: { statement: 'SELECT email FROM customers' } }));
      const [row] = await t.repo.entries(index, 1);
      const stored = JSON.parse(row!.entry.toString());
      assert.equal(stored.payload, undefined);
      assert.match(stored.payload_commitment, /^[A-Za-z0-9+/]{43}=$/);
      assert.equal((await t.repo.payload(index))!.payload, '{"statement":"SELECT email FROM customers"}');

      await assert.rejects(test.exec(`DELETE FROM ledger_payloads WHERE idx = ${index}`), /redaction/);
      const redaction = await redactPayload(t.ledger, index, 'erasure #1', { id: 'dpo', kind: 'human' });
      assert.equal(await t.repo.payload(index), undefined);
      await assert.rejects(redactPayload(t.ledger, index, 'again', { id: 'dpo', kind: 'human' }), /redacted already/);
      await assert.rejects(redactPayload(t.ledger, 0, 'none', { id: 'dpo', kind: 'human' }), /no separately kept payload/);
      const [redactionRow] = await t.repo.entries(redaction, 1);
      assert.match(redactionRow!.entry.toString(), /"action":"ledger.payload.redact"/);
      await t.close();

      const store = await openTestLedger(test);
      const report = await verifyLog(storeSource(store.repo, kind));
      assert.deepEqual(report.problems, []);
      assert.deepEqual(report.payloads, { held: 0, redacted: 1 });
      await store.close();
    });

    it('refuses UPDATE and DELETE on every ledger table (triggers)', async () => {
      const t = await openTestLedger(test);
      await t.ledger.append(event(500, { payload: { statement: 'SELECT 1' } }));
      await t.close();
      for (const statement of [
        'UPDATE ledger_entries SET entry = leaf_hash WHERE idx = 1',
        'DELETE FROM ledger_entries WHERE idx = 1',
        'UPDATE ledger_nodes SET hash = hash',
        'DELETE FROM ledger_nodes',
        'UPDATE ledger_checkpoints SET note = note',
        'DELETE FROM ledger_checkpoints',
        'DELETE FROM ledger_keys',
        'UPDATE ledger_payloads SET payload = payload',
      ]) {
        await assert.rejects(test.exec(statement), /append-only/, statement);
      }
      if (kind === 'postgres') await assert.rejects(test.exec('TRUNCATE ledger_entries'), /append-only/);
    });

    it('a second writer on the same store interleaves without losing or duplicating entries', async () => {
      const a = await openTestLedger(test);
      const b2 = await openTestLedger(test);
      const start = await a.repo.size();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a.ledger : b2.ledger).append(event(1000 + i))),
      );
      assert.equal(new Set(results).size, 40);
      assert.deepEqual([...results].sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => start + i));
      await a.close();
      await b2.close();
      await assertVerifies(start + 40);
    });

    it('pipelined commits from two writers at once: none lost, duplicated or built on the other\'s entries', async () => {
      // Small chunks, so that each writer sends several commits before the first is answered
      // while the other appends between them: each commit must build on the tree as stored.
      const a = await openTestLedger(test, { pipelineChunk: 7, maxBatch: 20 });
      const b2 = await openTestLedger(test, { pipelineChunk: 7, maxBatch: 20 });
      const inFlight = trackInFlight(a.repo);
      const start = await a.repo.size();
      const burst = (ledger: Ledger, from: number) =>
        Promise.all(Array.from({ length: 150 }, (_, i) => ledger.append(event(from + i))));
      const results = (await Promise.all([burst(a.ledger, 2000), burst(b2.ledger, 3000), burst(a.ledger, 4000)])).flat();
      assert.equal(new Set(results).size, 450);
      assert.deepEqual([...results].sort((x, y) => x - y), Array.from({ length: 450 }, (_, i) => start + i));
      if (a.repo.pipelined) assert.ok(inFlight.most() > 1, `commits were pipelined (at most ${inFlight.most()} in flight)`);
      await a.close();
      await b2.close();
      await assertVerifies(start + 450);
    });

    it('reopens after a restart and continues the same tree', async () => {
      const t = await openTestLedger(test);
      const size = await t.repo.size();
      const frontier = await loadFrontier(t.repo, size);
      assert.deepEqual(frontier.root(), await rootAt(t.repo, size));
      await t.ledger.append(event(2000));
      await t.close();
      const again = await openTestLedger(test);
      assert.equal(again.ledger.size, size + 1);
      const report = await verifyLog(storeSource(again.repo, kind));
      assert.ok(report.ok, JSON.stringify(report.problems));
      assert.ok(report.checkpoints >= 3);
      await again.close();
    });

    it('refuses a signing key for another origin', async () => {
      const t = await openTestLedger(test);
      const { generateSignerKey, parseSignerKey } = await import('../../src/ledger/note/index.js');
      const other = parseSignerKey(generateSignerKey('someone.else/log').signerKey);
      await assert.rejects(Ledger.open(t.repo, { signer: other }), /origin/);
      assert.equal(TEST_SIGNER.name, t.ledger.origin);
      await t.close();
    });
  });
}
