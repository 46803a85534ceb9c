import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ledgerRepo, payloadCommitment, storeSource, verifyLog, type LedgerRepo } from '../../src/ledger/index.js';
import type { AppendBatch } from '../../src/ledger/repo/index.js';
import { packBatch, unpackAppended, type PackedAppended } from '../../src/ledger/repo/batch-wire.js';
import type { WriterTask } from '../../src/ledger/repo/sqlite-writer.js';
import { WorkerPool } from '../../src/ledger/workers/pool.js';
import { openStore, type Store } from '../../src/store/index.js';
import { makeTestStore, type TestStore } from '../support/stores.js';
import { event, openTestLedger, trackInFlight } from '../support/ledger.js';

/** Entries n = from … from + n - 1; the last keeps a payload, committed to in its entry. */
function batch(from: number, n: number): AppendBatch {
  const salt = Buffer.alloc(16, 7);
  const payload = `{"sql":"SELECT ${from + n - 1}"}`;
  const entries = Array.from({ length: n }, (_, i) =>
    Buffer.from(i === n - 1 ? `{"n":${from + i},"payload_commitment":"${payloadCommitment(salt, payload)}"}` : `{"n":${from + i}}`),
  );
  return { entries, payloads: [{ offset: n - 1, salt, payload }] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the SQLite writer thread', () => {
  let test: TestStore;
  let store: Store;
  let repo: LedgerRepo;
  before(async () => {
    test = await makeTestStore('sqlite');
    store = await openStore(test.config);
    repo = ledgerRepo(store);
  });
  after(async () => {
    await repo.close?.();
    await store.close();
    await test.cleanup();
  });

  it('commits the batches that waited for it in one transaction, each answered with where its entries went', async () => {
    await repo.append(batch(0, 1)); // the thread is up
    // A large batch keeps the thread busy while three small ones are posted behind it.
    const large = repo.append(batch(1, 19_999));
    await sleep(50);
    const small = [batch(20_000, 3), batch(20_003, 1), batch(20_004, 5)].map((b) => repo.append(b));
    const first = await large;
    const answers = await Promise.all(small);
    assert.deepEqual([first.startIndex, first.frontier.size], [1, 20_000]);
    assert.deepEqual(answers.map((a) => a.startIndex), [20_000, 20_003, 20_004]);
    // One transaction: each small batch is answered with the tree as of all three.
    assert.deepEqual(answers.map((a) => a.frontier.size), [20_009, 20_009, 20_009]);
    assert.equal(await repo.size(), 20_009);
    assert.deepEqual((await repo.payload(20_008))?.payload, '{"sql":"SELECT 20008"}');
    assert.deepEqual((await repo.payload(20_002))?.payload, '{"sql":"SELECT 20002"}');
    assert.equal(await repo.payload(20_007), undefined);
    const report = await verifyLog(storeSource(repo, 'the test store'));
    assert.deepEqual(report.problems, []);
    assert.equal(report.size, 20_009);
  });

  it('urgent appends issued while a commit is in flight are sent behind it, each resolving to its own index', async () => {
    const t = await openTestLedger(test);
    const inFlight = trackInFlight(t.repo);
    const start = await t.repo.size();
    const indexes: Promise<number>[] = [];
    // One statement per turn of the event loop, as sessions send them, 60 turns in a row.
    for (let i = 0; i < 60; i++) {
      indexes.push(t.ledger.append(event(i)));
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(await Promise.all(indexes), Array.from({ length: 60 }, (_, i) => start + i));
    assert.ok(inFlight.most() > 1, `urgent commits were sent behind those in flight (at most ${inFlight.most()} at once)`);
    await t.close();
    const check = await openTestLedger(test);
    const report = await verifyLog(storeSource(check.repo, 'sqlite'));
    assert.deepEqual(report.problems, []);
    assert.equal(report.size, start + 60);
    await check.close();
  });

  it('serves one database: a batch for another file fails, and the thread keeps committing to its own', async () => {
    const other = await makeTestStore('sqlite');
    const otherStore = await openStore(other.config);
    const pool = new WorkerPool<WriterTask, PackedAppended>(new URL('../../src/ledger/workers/sqlite-writer-worker.js', import.meta.url), 1);
    const post = (file: string, b: AppendBatch) => {
      const packed = packBatch(b);
      return pool.run({ file, packed }, [packed]);
    };
    try {
      const file = store.kind === 'sqlite' ? store.sqlite.name : assert.fail('a SQLite store');
      const start = await repo.size();
      const first = unpackAppended(await post(file, batch(start, 2)));
      assert.equal(first.startIndex, start);
      const otherFile = otherStore.kind === 'sqlite' ? otherStore.sqlite.name : assert.fail('a SQLite store');
      await assert.rejects(post(otherFile, batch(0, 1)), /serves one database/);
      const next = unpackAppended(await post(file, batch(start + 2, 1)));
      assert.deepEqual([next.startIndex, next.frontier.size], [start + 2, start + 3]);
      assert.equal(await repo.size(), start + 3);
    } finally {
      await pool.close();
      await otherStore.close();
      await other.cleanup();
    }
  });
});
