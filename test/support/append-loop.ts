/**
 * A writer for the crash test: appends events in a loop (many in flight at once, so group
 * commits happen) and prints each index once its append is acknowledged. It runs until killed.
 * argv: a JSON StoreConfig.
 */
import { openStore } from '../../src/store/index.js';
import { Ledger, ledgerRepo } from '../../src/ledger/index.js';
import { TEST_SIGNER } from './ledger.js';

const config = JSON.parse(process.argv[2]!);
const store = await openStore(config);
const ledger = await Ledger.open(ledgerRepo(store), { signer: TEST_SIGNER, checkpointIntervalMs: 50 });
let n = 0;
async function writer(): Promise<never> {
  for (;;) {
    const id = n++;
    const index = await ledger.append({
      actor: { id: 'crash', kind: 'system' },
      action: 'test.crash',
      target: { id },
      payload: { id },
    });
    process.stdout.write(`${index} ${id}\n`);
  }
}
await Promise.all(Array.from({ length: 32 }, writer));
