import type { ControlPlane } from '../control/plane.js';
import type { Principal } from '../identity/model.js';
import type { Engine } from '../sql/index.js';

export type LoginFailureReason =
  | 'unknown_user'
  | 'no_credentials'
  | 'wrong_password'
  | 'disabled'
  | 'expired'
  | 'throttled'
  | 'protocol'
  | 'tls_required'
  | 'unknown_connection';

/**
 * Why a login failed: recorded in the ledger, never shown to the client (every engine answers
 * every failure with the same message, so that nobody can tell which accounts exist).
 */
export class LoginFailure extends Error {
  constructor(
    readonly reason: LoginFailureReason,
    message: string,
    readonly principal?: Principal,
  ) {
    super(message);
  }
}

/** How a principal proved who it is. */
export interface Authenticated {
  principal: Principal;
  via: 'password' | 'token';
  tokenId?: string;
}

export interface LoginAttempt {
  engine: Engine;
  user: string;
  /** The connection the client asked for (its database name). */
  database: string;
  client: { address: string; port: number };
  tls: boolean;
  /** A change of user within a session (MySQL's COM_CHANGE_USER): the session it ended. */
  previousSession?: string;
}

/** `auth.login_failed`, with the true reason. */
export async function recordLoginFailure(cp: ControlPlane, attempt: LoginAttempt, failure: LoginFailure): Promise<void> {
  const p = failure.principal;
  await cp.ledger.append({
    actor: p ? { id: p.id, kind: p.kind, name: p.name } : { id: 'unknown', kind: 'human', name: attempt.user },
    action: 'auth.login_failed',
    target: { type: 'connection', name: attempt.database, engine: attempt.engine },
    outcome: { status: 'failed', reason: failure.reason, detail: failure.message },
    context: {
      client: `${attempt.client.address}:${attempt.client.port}`,
      tls: attempt.tls,
      ...(attempt.previousSession ? { previous_session: attempt.previousSession } : {}),
    },
  });
}

/** Marks a successful login on the principal (and the token it used). */
export async function touchLogin(cp: ControlPlane, authenticated: Authenticated, at: Date): Promise<void> {
  const iso = at.toISOString();
  if (authenticated.tokenId) await cp.identity.touchToken(authenticated.tokenId, iso);
  await cp.identity.touchLogin(authenticated.principal.id, iso);
}
