import type { LiveSession, SessionInfo } from '../../src/gateway/engine.js';
import type { SessionRegistry } from '../../src/gateway/sessions.js';
import type { Principal } from '../../src/identity/model.js';

let next = 0;

/**
 * A live session as a gateway keeps one, without the protocol: it registers itself, counts
 * statements, and on terminate records the reason and leaves the registry (as a gateway
 * session does when it closes its sockets). The real gateway sessions of both engines are
 * tested end to end in test/gateway/engines.test.ts.
 */
export class TestSession implements LiveSession {
  readonly id = `ses_test${String(++next).padStart(4, '0')}`;
  readonly terminated: string[] = [];
  /** Called inside terminate(), e.g. to see what the ledger held at that moment. */
  onTerminate: ((reason: string) => void) | undefined;
  private readonly data: SessionInfo;

  constructor(
    private readonly registry: SessionRegistry,
    principal: Pick<Principal, 'id' | 'name' | 'kind'>,
    connection: string,
    startedAt: Date,
    extra: Partial<Pick<SessionInfo, 'application' | 'client' | 'tls' | 'state'>> = {},
  ) {
    const at = startedAt.toISOString();
    this.data = {
      id: this.id,
      engine: 'postgres',
      principal: { id: principal.id, name: principal.name, kind: principal.kind },
      connection: { id: `con_${connection}`, name: connection },
      client: extra.client ?? { address: '127.0.0.1', port: 40000 + next },
      application: extra.application === undefined ? 'psql' : extra.application,
      tls: extra.tls ?? true,
      state: extra.state ?? 'idle',
      started_at: at,
      last_activity_at: at,
      statements: 0,
      denied: 0,
    };
    registry.add(this.id, this);
  }

  /** One statement decided: the counters move as the gateway's would. */
  statement(allowed: boolean, at: Date): void {
    this.data.statements++;
    if (!allowed) this.data.denied++;
    this.data.last_activity_at = at.toISOString();
  }

  info(): SessionInfo {
    return structuredClone(this.data);
  }

  terminate(reason: string): void {
    this.terminated.push(reason);
    this.onTerminate?.(reason);
    this.registry.remove(this.id);
  }
}
