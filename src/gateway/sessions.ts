import type { LiveSession, SessionInfo } from './engine.js';

/**
 * The live sessions of every gateway in this process. The gateways add and remove their
 * sessions; the API and the CLI list and terminate them. Wired once at start-up.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();

  /** `onChange` is told of every session added or removed (serve: to release memory after a burst). */
  constructor(private readonly options: { onChange?: () => void } = {}) {}

  add(id: string, session: LiveSession): void {
    this.live.set(id, session);
    this.options.onChange?.();
  }

  remove(id: string): void {
    if (this.live.delete(id)) this.options.onChange?.();
  }

  get size(): number {
    return this.live.size;
  }

  /** Oldest first. */
  list(): SessionInfo[] {
    return [...this.live.values()].map((s) => s.info()).sort((a, b) => a.started_at.localeCompare(b.started_at));
  }

  get(id: string): SessionInfo | undefined {
    return this.live.get(id)?.info();
  }

  /** Terminates one session; false when there is no such live session. */
  terminate(id: string, reason: string): boolean {
    const session = this.live.get(id);
    if (!session) return false;
    session.terminate(reason);
    return true;
  }

  /** Terminates every session of a principal (e.g. when it is disabled); returns how many. */
  terminatePrincipal(principalId: string, reason: string): number {
    let count = 0;
    for (const session of [...this.live.values()]) {
      if (session.info().principal.id === principalId) {
        session.terminate(reason);
        count++;
      }
    }
    return count;
  }
}
