import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SQLITE_FILE } from '../store/index.js';
import { openCheckpoint, parseVerifierKey } from '../ledger/note/index.js';
import { verifyInclusion } from '../ledger/merkle/index.js';
import {
  bundleSource,
  exportBundle,
  formatReport,
  inclusionProof,
  redactPayload,
  storeSource,
  verifyLog,
} from '../ledger/index.js';
import { openLedger, openLedgerStore } from './context.js';
import { tourEvents } from './ledger-tour-events.js';
import { useEmbeddedStoreOnly } from './embedded-only.js';

const say = (text = '') => process.stdout.write(`${text}\n`);
const indent = (text: string) => text.trimEnd().replace(/^/gm, '    ');

/**
 * `gatehouse ledger tour`: a tour of the ledger on a fresh embedded store — append,
 * checkpoint, prove, redact, export, and a tamper being caught. (`gatehouse demo` is the
 * gateway demo; this tour needs no database.)
 */
export async function runLedgerTour(count: number): Promise<number> {
  useEmbeddedStoreOnly('ledger tour');
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-tour-'));
  const dataDir = join(home, 'data');
  const witnessDir = join(home, 'witness');
  say(`Gatehouse audit ledger tour — working in ${home}\n`);

  const opened = await openLedger({ dataDir, witnessDir: [witnessDir] }, { create: true });
  const { ledger, repo } = opened;
  say(`1. Append ${count} audit events (logins and statements; statement text kept apart as payloads)`);
  const started = performance.now();
  const indexes = await Promise.all(tourEvents(count).map((e) => ledger.append(e)));
  say(`   ${indexes.length} entries durable in ${(performance.now() - started).toFixed(0)} ms (group commit)\n`);

  const checkpoint = (await ledger.checkpoint())!;
  say('2. The signed checkpoint (C2SP tlog-checkpoint in a signed note), also written to the witness folder:');
  say(`${indent(checkpoint.note)}\n`);

  const probe = Math.min(421, count - 1);
  const proof = await inclusionProof(repo, probe, checkpoint.size);
  const { checkpoint: signed } = openCheckpoint(checkpoint.note, [parseVerifierKey(ledger.verifierKey)]);
  const included = verifyInclusion(
    probe,
    signed.size,
    Buffer.from(proof.leaf_hash, 'base64'),
    proof.hashes.map((h) => Buffer.from(h, 'base64')),
    signed.rootHash,
  );
  say(`3. Inclusion proof of entry ${probe}: ${proof.hashes.length} hashes; checked against the signed root: ${included ? 'valid' : 'INVALID'}\n`);

  const redaction = await redactPayload(ledger, 7, 'erasure request #1042', { id: 'dpo', kind: 'human', name: 'Data Protection Officer' });
  say(`4. Redact the statement text of entry 7 (an erasure request): recorded as entry ${redaction};`);
  say('   the leaf keeps its salted commitment, so every proof still holds.\n');
  await opened.close();

  const bundleDir = join(home, 'bundle');
  const reader = await openLedgerStore({ dataDir }, { mustExist: true });
  const summary = await exportBundle(reader.repo, bundleDir);
  const storeReport = await verifyLog(storeSource(reader.repo, `the store in ${dataDir}`));
  await reader.close();
  say(`5. Verify the store (every leaf recomputed, tree rebuilt, signatures, payload commitments):`);
  say(`${indent(formatReport(storeReport))}\n`);
  say(`6. Export a bundle for the auditor (${summary.size} entries) and verify it without the store:`);
  say(`${indent(formatReport(await verifyLog(bundleSource(bundleDir))))}\n`);

  const tamperedDir = join(home, 'tampered');
  cpSync(dataDir, tamperedDir, { recursive: true });
  const db = new BetterSqlite3(join(tamperedDir, SQLITE_FILE));
  const tamper = db.prepare(
    "UPDATE ledger_entries SET entry = CAST(replace(CAST(entry AS TEXT), 'orders-prod', 'orders-test') AS BLOB) WHERE idx = ?",
  );
  say(`7. Someone with database access edits entry ${probe} in a copy of the store.`);
  try {
    tamper.run(probe);
  } catch (error) {
    say(`   The store refuses: ${(error as Error).message}`);
  }
  db.exec('DROP TRIGGER ledger_entries_refuse_update');
  tamper.run(probe);
  db.close();
  say('   As the database owner they drop the trigger and change it anyway. Verify:');
  const tampered = await openLedgerStore({ dataDir: tamperedDir }, { mustExist: true });
  const report = await verifyLog(storeSource(tampered.repo, `the tampered copy`), { witnessed: [] });
  await tampered.close();
  say(`${indent(formatReport(report, 4))}\n`);

  say('Try it yourself:');
  say(`    node dist/src/cli/main.js ledger verify --data-dir ${dataDir} --witness ${witnessDir}`);
  say(`    node dist/src/cli/main.js ledger verify --data-dir ${tamperedDir}`);
  say(`    node dist/src/cli/main.js ledger proof --data-dir ${dataDir} --index ${probe}`);
  say(`    node dist/src/cli/main.js ledger verify --bundle ${bundleDir}`);
  return 0;
}
