import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ControlPlane } from '../../control/plane.js';
import { ControlError } from '../../control/errors.js';
import { commitStatsView, consistencyProof, inclusionProof, LedgerError } from '../../ledger/index.js';
import { routeAdder, type AnyRoute } from '../route.js';

const index = z.coerce.number().int().min(0);
const TIME = z.iso.datetime({ offset: true });

const entriesQuery = z.strictObject({
  from: index.default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  since: TIME.optional(),
  until: TIME.optional(),
  connection: z.string().max(200).optional(),
});

/** At most this many entries are read per request; `next` lets the client go on. */
const SCAN_LIMIT = 50_000;
const PAGE = 1000;

interface LedgerEntryView {
  index: number;
  entry: Record<string, unknown>;
}

function matches(e: Record<string, unknown>, q: z.output<typeof entriesQuery>): boolean {
  const actor = e.actor as { id?: string; name?: string } | undefined;
  if (q.actor && actor?.id !== q.actor && actor?.name !== q.actor) return false;
  if (q.action) {
    const action = String(e.action);
    if (q.action.endsWith('*') ? !action.startsWith(q.action.slice(0, -1)) : action !== q.action) return false;
  }
  const time = Date.parse(String(e.time));
  if (q.since && time < Date.parse(q.since)) return false;
  if (q.until && time >= Date.parse(q.until)) return false;
  if (q.connection) {
    const target = e.target as { type?: string; name?: string; connection?: string } | undefined;
    const connection = target?.connection ?? (target?.type === 'connection' ? target.name : undefined);
    if (connection !== q.connection) return false;
  }
  return true;
}

const ledgerError = (error: unknown) =>
  error instanceof LedgerError ? new ControlError('invalid', error.message) : error;

export function ledgerRoutes(app: FastifyInstance, cp: ControlPlane, routes: AnyRoute[]): void {
  const add = routeAdder(app, cp, routes);
  add({
    method: 'GET',
    url: '/ledger/checkpoint',
    summary: 'Show the latest signed checkpoint',
    tag: 'ledger',
    access: 'read',
    handler: async ({ cp }) => {
      await cp.ledger.drain();
      let latest = await cp.ledger.repo.latestCheckpoint();
      if (!latest || latest.size < cp.ledger.size) latest = (await cp.ledger.checkpoint()) ?? latest;
      return { size: latest?.size ?? 0, checkpoint: latest?.note ?? null, verifier_keys: await cp.ledger.repo.verifierKeys() };
    },
  });
  add({
    method: 'GET',
    url: '/ledger/commits',
    summary: 'Show how the ledger group commits have gone since the server started',
    tag: 'ledger',
    access: 'read',
    handler: async ({ cp }) => commitStatsView(cp.ledger.commitStats()),
  });
  add({
    method: 'GET',
    url: '/ledger/entries',
    summary: 'List ledger entries by range and filter',
    tag: 'ledger',
    access: 'read',
    query: entriesQuery,
    handler: async ({ cp, query }) => {
      const q = query!;
      const found: LedgerEntryView[] = [];
      let next = q.from;
      const end = Math.min(cp.ledger.size, q.from + SCAN_LIMIT);
      while (next < end && found.length < q.limit) {
        const rows = await cp.ledger.repo.entries(next, Math.min(PAGE, end - next));
        if (rows.length === 0) break;
        for (const row of rows) {
          next = row.index + 1;
          const entry = JSON.parse(row.entry.toString('utf8')) as Record<string, unknown>;
          if (matches(entry, q)) found.push({ index: row.index, entry });
          if (found.length >= q.limit) break;
        }
      }
      return { entries: found, next: next < cp.ledger.size ? next : null, size: cp.ledger.size };
    },
  });
  add({
    method: 'GET',
    url: '/ledger/proofs/inclusion',
    summary: 'Get an inclusion proof',
    tag: 'ledger',
    access: 'read',
    query: z.strictObject({ index, size: index.optional() }),
    handler: async ({ cp, query }) => {
      await cp.ledger.checkpoint();
      try {
        return await inclusionProof(cp.ledger.repo, query!.index, query!.size ?? cp.ledger.size);
      } catch (error) {
        throw ledgerError(error);
      }
    },
  });
  add({
    method: 'GET',
    url: '/ledger/proofs/consistency',
    summary: 'Get a consistency proof',
    tag: 'ledger',
    access: 'read',
    query: z.strictObject({ from: index, to: index.optional() }),
    handler: async ({ cp, query }) => {
      await cp.ledger.checkpoint();
      try {
        return await consistencyProof(cp.ledger.repo, query!.from, query!.to ?? cp.ledger.size);
      } catch (error) {
        throw ledgerError(error);
      }
    },
  });
}
