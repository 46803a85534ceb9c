import type { ControlPlane, Target } from '../control/plane.js';
import type { SessionRegistry } from './sessions.js';

/** What a wiring of change listeners offers its owner (serve, tests). */
export interface LiveChanges {
  /** Stops listening (at shutdown). */
  stop(): void;
  /** Resolves once every reaction started so far has run (its store read is async). */
  settled(): Promise<void>;
}

/** The reason a session's client is told when its account stops being active. */
export function endedReason(status: 'deleted' | 'disabled' | 'expired'): string {
  return status === 'deleted'
    ? 'the account was deleted'
    : status === 'expired'
      ? 'the account has expired'
      : 'the account was disabled';
}

/**
 * Ends the live sessions of a user or service account the moment it stops being active
 * (disabled, deleted, or given an expiry in the past), instead of letting them run until
 * the client disconnects. Grant and membership changes need nothing here: the gateways
 * re-read policy for every statement (see ControlPlane.generation).
 *
 * It reacts to every applied change whose target is a principal, whatever the action's
 * name (admin.user.update, admin.service_account.delete, and any later source of such
 * changes such as SCIM), and reads the principal back from the store rather than trusting
 * the change's input: what counts is the status after the change. Wired once at start-up.
 *
 * Only changes made through this process's control plane are seen, as with the gateways'
 * policy snapshots. An account that expires by the clock alone makes no change: its
 * statements are denied from that instant (evaluate() compares expiries with now), but
 * its sessions are not ended here.
 */
export function terminateSessionsOnDisable(
  cp: ControlPlane,
  registry: SessionRegistry,
  options: { onError?: (error: Error) => void } = {},
): LiveChanges {
  const pending = new Set<Promise<void>>();
  const onError = options.onError ?? ((e: Error) => process.stderr.write(`warning: ending the sessions of a changed account: ${e.message}\n`));

  const react = async (principalId: string): Promise<void> => {
    const principal = await cp.identity.principalById(principalId, cp.now());
    const status = principal ? principal.status : 'deleted';
    if (status !== 'active') registry.terminatePrincipal(principalId, endedReason(status));
  };

  const listener = (_action: string, target: Target): void => {
    // A listener runs inside ControlPlane.audited after the change is applied: it must never
    // throw there (the change would be reported as failed), so errors go to onError.
    if (target.type !== 'user' && target.type !== 'service_account') return;
    if (!registry.list().some((s) => s.principal.id === target.id)) return; // no store read when nothing is live
    const run: Promise<void> = react(target.id)
      .catch((error: unknown) => onError(error as Error))
      .finally(() => pending.delete(run));
    pending.add(run);
  };

  const stop = cp.onChange(listener);
  return {
    stop: () => void stop(),
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
