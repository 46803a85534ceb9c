// Worker thread: hashes and scans pages of entries for verify (see leaf-scan.ts).
import { scanPage, type PackedPage, type ScannedPage } from './leaf-scan.js';
import { serveTasks } from './pool.js';

serveTasks<PackedPage, ScannedPage>((page) => {
  const scanned = scanPage(page);
  return { output: scanned, transfer: [scanned.hashes.buffer as ArrayBuffer, scanned.blocks.buffer as ArrayBuffer] };
});
