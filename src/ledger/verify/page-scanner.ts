import type { EntryPage } from '../repo/packed.js';
import { scanPage, type ScannedPage } from '../workers/leaf-scan.js';
import { defaultPoolSize, WorkerPool } from '../workers/pool.js';

/** Below this many entries, starting worker threads costs more than hashing on the main thread. */
const PARALLEL_FROM = 50_000;
/** Pages hashed ahead of the one being checked. */
const AHEAD = 2;

/**
 * A page's memory as a worker may take it: its own ArrayBuffer, whole. A page that shares its
 * memory (a view into Buffer's pool) is copied.
 */
function transferable(packed: Uint8Array): Uint8Array {
  if (packed.byteOffset === 0 && packed.byteLength === packed.buffer.byteLength) return packed;
  const own = new Uint8Array(packed.byteLength);
  own.set(packed);
  return own;
}

/**
 * The source's entry pages, each scanned (leaf-scan.ts). With workers, pages are scanned on
 * other threads while the main thread reads the next ones and checks the tree; the packed
 * page goes to the worker as it is, and the order of pages is kept.
 */
export async function* scannedPages(
  pages: AsyncIterable<EntryPage>,
  total: number,
  workers: number | undefined,
): AsyncIterable<ScannedPage> {
  const size = workers ?? (total >= PARALLEL_FROM ? defaultPoolSize() : 0);
  if (size === 0) {
    for await (const page of pages) yield scanPage(page.packed);
    return;
  }
  const pool = new WorkerPool<Uint8Array, ScannedPage>(new URL('../workers/leaf-worker.js', import.meta.url), size);
  const ahead: Promise<ScannedPage>[] = [];
  const source = pages[Symbol.asyncIterator]();
  try {
    // The next page is requested before this one is scanned and checked, so a database
    // fetches it meanwhile.
    let next = source.next();
    for (let read = await next; !read.done; read = await next) {
      next = source.next();
      next.catch(() => {}); // awaited at the top of the loop; a failure is thrown there
      const packed = transferable(read.value.packed);
      const scanning = pool.run(packed, [packed.buffer as ArrayBuffer]);
      scanning.catch(() => {}); // awaited below, in order; a failure is thrown there
      ahead.push(scanning);
      if (ahead.length > AHEAD) yield await ahead.shift()!;
    }
    while (ahead.length > 0) yield await ahead.shift()!;
  } finally {
    await pool.close();
  }
}
