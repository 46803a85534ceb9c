import type { AddressInfo, Server } from 'node:net';
import type { ControlPlane } from '../control/plane.js';
import { actorOf, contextOf, targetOf, type SessionIdentity } from './audit.js';
import { LedgerError } from '../ledger/index.js';
import { isStoreUnavailable } from '../store/errors.js';

/** Binds `server`; resolves with the address (port 0 picks a free one), rejects on EADDRINUSE and the like. */
export function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** `db.session.end`, as every engine records it; resolves when it is written (or failed, reported to onError). */
export function recordSessionEnd(
  cp: ControlPlane,
  identity: SessionIdentity,
  end: { reason: string; statements: number; denied: number; startedAt: Date },
  onError: (error: Error) => void,
): Promise<void> {
  return cp.ledger
    .append({
      actor: actorOf(identity),
      action: 'db.session.end',
      target: targetOf(identity),
      outcome: { reason: end.reason, statements: end.statements, denied: end.denied, duration_ms: Date.now() - end.startedAt.getTime() },
      context: contextOf(identity),
    })
    .then(
      () => undefined,
      (error: Error) => onError(error),
    );
}

/**
 * What a client is told when its login failed for a reason of the gateway's own (not a
 * refused login, which every engine answers alike): whether the store or the ledger cannot
 * write now (a full disk, a database that is down), so that it may try again later, or
 * something else. Either way the cause goes to the operator's log, not to the client.
 */
export function loginErrorMessage(error: Error): { unavailable: boolean; message: string } {
  return error instanceof LedgerError || isStoreUnavailable(error)
    ? { unavailable: true, message: 'Gatehouse cannot start sessions now (its store or audit ledger is unavailable); try again later' }
    : { unavailable: false, message: 'Gatehouse could not start the session; the operator can find the cause in its log' };
}
