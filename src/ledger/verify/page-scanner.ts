import { packPage, scanEntries, type ScannedPage } from '../workers/leaf-scan.js';
import { defaultPoolSize, WorkerPool } from '../workers/pool.js';
import type { PackedPage } from '../workers/leaf-scan.js';
import type { SourceEntry } from './source.js';

/** Below this many entries, starting worker threads costs more than hashing on the main thread. */
const PARALLEL_FROM = 50_000;
/** Pages hashed ahead of the one being checked. */
const AHEAD = 2;

export interface ScannedEntries {
  page: SourceEntry[];
  scanned: ScannedPage;
}

/**
 * The source's entry pages with their leaf hashes and scan flags (leaf-scan.ts). With workers,
 * pages are hashed on other threads while the main thread reads the next ones and checks the
 * tree; the order of pages is kept.
 */
export async function* scannedPages(
  pages: AsyncIterable<SourceEntry[]>,
  total: number,
  workers: number | undefined,
): AsyncIterable<ScannedEntries> {
  const size = workers ?? (total >= PARALLEL_FROM ? defaultPoolSize() : 0);
  if (size === 0) {
    for await (const page of pages) yield { page, scanned: scanEntries(page[0]?.index ?? 0, page.map((r) => r.entry)) };
    return;
  }
  const pool = new WorkerPool<PackedPage, ScannedPage>(new URL('../workers/leaf-worker.js', import.meta.url), size);
  const ahead: Promise<ScannedEntries>[] = [];
  const source = pages[Symbol.asyncIterator]();
  try {
    // The next page is requested before this one is hashed and checked, so a database
    // fetches it meanwhile.
    let next = source.next();
    for (let read = await next; !read.done; read = await next) {
      const page = read.value;
      next = source.next();
      next.catch(() => {}); // awaited at the top of the loop; a failure is thrown there
      const packed = packPage(page[0]?.index ?? 0, page.map((r) => r.entry));
      const scanning = pool.run(packed, [packed.data.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer]).then((scanned) => ({ page, scanned }));
      scanning.catch(() => {}); // awaited below, in order; a failure is thrown there
      ahead.push(scanning);
      if (ahead.length > AHEAD) yield await ahead.shift()!;
    }
    while (ahead.length > 0) yield await ahead.shift()!;
  } finally {
    await pool.close();
  }
}
