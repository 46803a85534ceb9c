import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { LedgerRepo } from './repo/index.js';
import { BUNDLE_FILES } from './verify/bundle-source.js';
import { paged } from './verify/store-source.js';
import { LedgerError } from './errors.js';

export interface ExportSummary {
  dir: string;
  size: number;
  checkpoints: number;
  payloads: number;
}

async function write(stream: WriteStream, text: string | Buffer): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/**
 * Writes a bundle an auditor can verify with no Gatehouse at all (format: docs/ledger.md).
 * It holds exactly the entries the latest checkpoint covers, so every line is under a signature.
 */
export async function exportBundle(repo: LedgerRepo, dir: string): Promise<ExportSummary> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new LedgerError(`${dir} is not empty; export into a new folder`);
  }
  const latest = await repo.latestCheckpoint();
  if (!latest) throw new LedgerError('the ledger has no checkpoint yet: append entries and sign one first');
  const size = latest.size;
  mkdirSync(join(dir, BUNDLE_FILES.checkpoints), { recursive: true });

  const entries = createWriteStream(join(dir, BUNDLE_FILES.entries));
  exporting: for await (const page of paged((start, limit) => repo.entries(start, limit))) {
    for (const row of page) {
      if (row.index >= size) break exporting;
      await write(entries, row.entry);
      await write(entries, '\n');
    }
  }
  await finish(entries);

  const checkpoints = await repo.checkpoints();
  for (const cp of checkpoints) writeFileSync(join(dir, BUNDLE_FILES.checkpoints, String(cp.size)), cp.note);
  writeFileSync(join(dir, BUNDLE_FILES.checkpoint), latest.note);
  writeFileSync(join(dir, BUNDLE_FILES.vkey), (await repo.verifierKeys()).map((k) => `${k}\n`).join(''));

  const payloads = createWriteStream(join(dir, BUNDLE_FILES.payloads));
  let payloadCount = 0;
  exporting: for await (const page of paged((start, limit) => repo.payloads(start, limit))) {
    for (const p of page) {
      if (p.index >= size) break exporting;
      // The stored payload is canonical JSON already; it is embedded as it is.
      await write(payloads, `{"index":${p.index},"salt":"${p.salt.toString('base64')}","payload":${p.payload}}\n`);
      payloadCount++;
    }
  }
  await finish(payloads);
  return { dir, size, checkpoints: checkpoints.length, payloads: payloadCount };
}
