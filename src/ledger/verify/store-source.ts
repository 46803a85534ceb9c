import type { LedgerRepo } from '../repo/index.js';
import { packRows, type EntryPage } from '../repo/packed.js';
import { ORIGIN_META_KEY } from '../ledger.js';
import type { LogSource } from './source.js';

const PAGE = 10_000;

/** Pages through anything indexed, stopping at a short page. */
export async function* paged<T extends { index: number }>(
  fetch: (start: number, limit: number) => Promise<T[]>,
): AsyncIterable<T[]> {
  let start = 0;
  for (;;) {
    const page = await fetch(start, PAGE);
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    start = page[page.length - 1]!.index + 1;
  }
}

/** Entry pages from the store: packed by the store where it can (SQLite), else packed here. */
async function* entryPages(repo: LedgerRepo): AsyncIterable<EntryPage> {
  const read = (start: number) =>
    repo.entryPage ? repo.entryPage(start, PAGE) : repo.entries(start, PAGE).then(packRows);
  for (let start = 0; ; ) {
    const page = await read(start);
    if (page.count > 0) yield page;
    if (page.count < PAGE) return;
    start = page.last + 1;
  }
}

export function storeSource(repo: LedgerRepo, description: string): LogSource {
  return {
    description,
    origin: () => repo.meta(ORIGIN_META_KEY),
    size: () => repo.size(),
    entryPages: () => entryPages(repo),
    storedNodes: (level) => paged((start, limit) => repo.nodes(level, start, limit)),
    checkpoints: async () =>
      (await repo.checkpoints()).map((c) => ({ where: `stored checkpoint ${c.size}`, note: c.note, filedSize: c.size })),
    verifierKeys: () => repo.verifierKeys(),
    payloads: async function* () {
      for await (const page of paged((start, limit) => repo.payloads(start, limit))) {
        yield page.map((p) => ({ index: p.index, salt: p.salt, canonical: p.payload }));
      }
    },
  };
}
