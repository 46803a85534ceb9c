// Worker thread: hashes and scans pages of entries for verify (see leaf-scan.ts).
import { scanPage, type ScannedPage } from './leaf-scan.js';
import { serveTasks } from './pool.js';

serveTasks<Uint8Array, ScannedPage>((page) => {
  const scanned = scanPage(page);
  const { indices, hashes, flags, blocks } = scanned;
  return { output: scanned, transfer: [indices.buffer, hashes.buffer, flags.buffer, blocks.buffer] as ArrayBuffer[] };
});
