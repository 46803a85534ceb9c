import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { ledgerRepo, storeSource, verifyLog } from '../../src/ledger/index.js';
import { makeTestStore, STORE_KINDS } from '../support/stores.js';
import { event, openTestLedger } from '../support/ledger.js';

const WRITER = fileURLToPath(new URL('../support/append-loop.js', import.meta.url));

for (const kind of STORE_KINDS) {
  describe(`crash safety on ${kind}`, () => {
    it('every acknowledged append survives SIGKILL, and the log verifies and continues', async () => {
      const test = await makeTestStore(kind);
      // The store is created first so the writer starts appending at once.
      await (await openTestLedger(test)).close();
      const child = spawn(process.execPath, [WRITER, JSON.stringify(test.config)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acknowledged = new Map<number, number>();
      let buffered = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            const [index, id] = line.split(' ').map(Number);
            acknowledged.set(index!, id!);
          }
          if (acknowledged.size >= 3000) resolve();
        });
        child.on('exit', () => resolve());
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      assert.ok(acknowledged.size >= 3000, `the writer acknowledged only ${acknowledged.size} appends`);

      const store = await openStore(test.config);
      const repo = ledgerRepo(store);
      const size = await repo.size();
      assert.ok(size >= acknowledged.size);
      for (const page of [await repo.entries(0, size)]) {
        const byIndex = new Map(page.map((r) => [r.index, JSON.parse(r.entry.toString())]));
        for (const [index, id] of acknowledged) assert.equal(byIndex.get(index)?.target.id, id, `entry ${index}`);
      }
      const report = await verifyLog(storeSource(repo, kind));
      assert.deepEqual(report.problems, []);
      assert.equal(report.payloads.held, size);
      await store.close();

      const again = await openTestLedger(test);
      assert.equal(await again.ledger.append(event(1)), size);
      await again.close();
      await test.cleanup();
    });
  });
}
