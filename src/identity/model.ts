/** Principals as the control plane shows them: never with a secret, status already resolved. */
export type PrincipalKind = 'human' | 'service';
export type Role = 'admin' | 'auditor' | 'member';
export type Status = 'active' | 'disabled' | 'expired';

export interface Principal {
  id: string;
  kind: PrincipalKind;
  name: string;
  display_name: string | null;
  email: string | null;
  role: Role;
  /** Effective: an account past its expiry reads as expired whatever was stored. */
  status: Status;
  expires_at: string | null;
  source: 'local' | 'scim' | 'oidc';
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
  last_activity_at: string | null;
}

export interface Group {
  id: string;
  name: string;
  description: string;
  owner: string | null;
  created_at: string;
  updated_at: string;
}

export interface Membership {
  group: string;
  principal: string;
  expires_at: string | null;
  /** False once expires_at has passed: the membership no longer counts. */
  active: boolean;
  created_at: string;
}

export interface TokenInfo {
  id: string;
  principal: string;
  name: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  state: 'active' | 'expired' | 'revoked';
}

/** An instant has passed when it is at or before now (the boundary instant counts as passed). */
export function hasPassed(instant: string | null, now: Date): boolean {
  return instant !== null && Date.parse(instant) <= now.getTime();
}

export function effectiveStatus(stored: string, expiresAt: string | null, now: Date): Status {
  if (stored === 'disabled') return 'disabled';
  if (stored === 'expired' || hasPassed(expiresAt, now)) return 'expired';
  return 'active';
}

export const newId = (prefix: string) => `${prefix}_${globalThis.crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
