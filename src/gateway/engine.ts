import type { AddressInfo } from 'node:net';

/**
 * What every gateway engine (postgres, mysql) offers the rest of Gatehouse. The protocol
 * specifics stay in gateway/<engine>/; wiring (serve, the demo, tests) sees only this.
 */
export interface Gateway {
  readonly engine: 'postgres' | 'mysql';
  /** Starts accepting clients; resolves with the bound address (port 0 picks a free one). */
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, ends every live session (both ends), and resolves when all are gone. */
  close(): Promise<void>;
}

/** How a statement's audit entry relates to its forwarding. See docs/gateway.md. */
export type AuditMode =
  /** The entry is durable before the statement is forwarded (the default; fail closed). */
  | 'strict'
  /** The entry joins the next group commit; the statement does not wait for it. */
  | 'async';

/**
 * Whether a statement waits for its entry to be durable before it is forwarded: always in
 * strict mode, and in async mode while the ledger cannot commit (a full disk), so that no
 * statement runs unrecorded then: each is refused until the ledger writes again.
 */
export function waitsForLedger(mode: AuditMode, ledger: { readonly failing: boolean }): boolean {
  return mode === 'strict' || ledger.failing;
}

export type SessionState = 'authenticating' | 'idle' | 'active' | 'in_transaction' | 'failed_transaction';

/** A live client session, as the API and `gatehouse sessions` show it. */
export interface SessionInfo {
  id: string;
  engine: 'postgres' | 'mysql';
  principal: { id: string; name: string; kind: 'human' | 'service' };
  connection: { id: string; name: string };
  client: { address: string; port: number };
  application: string | null;
  tls: boolean;
  state: SessionState;
  started_at: string;
  last_activity_at: string;
  /** Statements decided in this session so far (allowed and denied). */
  statements: number;
  denied: number;
}

/** One live session as the registry holds it. */
export interface LiveSession {
  info(): SessionInfo;
  /**
   * Ends the session at once: the client gets the engine's error for a killed session naming
   * the reason (PostgreSQL FATAL 57P01, MySQL ERR 1927), then both sockets close.
   */
  terminate(reason: string): void;
}
