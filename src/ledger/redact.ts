import type { Ledger } from './ledger.js';
import { LedgerError } from './errors.js';

export const REDACT_ACTION = 'ledger.payload.redact';

export interface Actor {
  id: string;
  kind: 'human' | 'service' | 'system';
  name?: string;
}

/**
 * Drops the payload (and its salt) of entry `index`. The leaf keeps its commitment, so every
 * proof still verifies; the redaction itself is a ledger event, appended before the delete
 * (the store refuses to delete a payload whose redaction is not recorded).
 */
export async function redactPayload(ledger: Ledger, index: number, reason: string, actor: Actor): Promise<number> {
  if (!reason.trim()) throw new LedgerError('a redaction needs a reason');
  const repo = ledger.repo;
  if (!(await repo.payload(index))) {
    const done = (await repo.redactions()).find((r) => r.index === index);
    if (done) throw new LedgerError(`the payload of entry ${index} was redacted already (entry ${done.redactionIndex})`);
    if (index >= (await repo.size())) throw new LedgerError(`there is no entry ${index}`);
    throw new LedgerError(`entry ${index} has no separately kept payload`);
  }
  const redactionIndex = await ledger.append({
    actor,
    action: REDACT_ACTION,
    target: { ledger_entry: index },
    context: { reason },
  });
  await repo.redact({ index, redactionIndex, reason, redactedAt: new Date().toISOString() });
  return redactionIndex;
}
