import type { z } from 'zod';
import { hasPassed, newId, type Principal, type TokenInfo } from '../identity/model.js';
import { looksLikeToken, newToken, tokenDisplayPrefix, tokenHash } from '../identity/tokens.js';
import { scramVerifier } from '../identity/scram.js';
import { mysqlVerifiers } from '../identity/mysql-verifiers.js';
import type { Actor, ControlPlane } from './plane.js';
import { ControlError } from './errors.js';
import { isStoreUnavailable } from '../store/errors.js';
import { getPrincipal, scramParameters } from './principals.js';
import type { tokenCreate } from './inputs.js';

/**
 * Creates a token for a principal and returns it in clear text this one time. Besides its
 * hash (bearer use), a SCRAM verifier under the principal's salt and a mysql_native_password
 * verifier are kept so the token also works as a database password without Gatehouse holding it.
 */
export async function createToken(
  cp: ControlPlane,
  actor: Actor,
  input: z.output<typeof tokenCreate>,
): Promise<{ token: string; info: TokenInfo }> {
  const principal = await getPrincipal(cp, input.principal ?? actor.name);
  const token = newToken();
  const secrets = await scramParameters(cp, principal.id);
  const verifier = scramVerifier(token, secrets.scram_salt, secrets.scram_iterations);
  const row = {
    id: newId('tok'),
    principal_id: principal.id,
    name: input.name,
    token_hash: tokenHash(token),
    prefix: tokenDisplayPrefix(token),
    scram_stored_key: verifier.storedKey,
    scram_server_key: verifier.serverKey,
    mysql_native_hash: mysqlVerifiers(token).native, // no sha2 verifier for tokens: see identity/mysql-verifiers.ts
    created_at: cp.now().toISOString(),
    expires_at: input.expires_at ?? null,
    revoked_at: null,
    last_used_at: null,
  };
  const target = { type: 'token' as const, id: row.id, name: row.name };
  const after = { principal: principal.name, name: row.name, prefix: row.prefix, expires_at: row.expires_at };
  return cp.audited(actor, 'admin.token.create', target, { after }, async () => {
    await cp.identity.insertToken(row);
    return { token, info: (await cp.identity.token(row.id, cp.now()))! };
  });
}

export async function getToken(cp: ControlPlane, id: string): Promise<TokenInfo> {
  const info = await cp.identity.token(id, cp.now());
  if (!info) throw new ControlError('not_found', `there is no token with id "${id}"`);
  return info;
}

export async function revokeToken(cp: ControlPlane, actor: Actor, id: string): Promise<TokenInfo> {
  const before = await getToken(cp, id);
  if (before.revoked_at) return before;
  const target = { type: 'token' as const, id, name: before.name };
  return cp.audited(actor, 'admin.token.revoke', target, { before: { principal: before.principal, name: before.name, prefix: before.prefix } }, async () => {
    await cp.identity.revokeToken(id, cp.now().toISOString());
    return getToken(cp, id);
  });
}

/**
 * The principal a bearer token belongs to, or null: unknown, revoked or expired tokens and
 * principals that are not active all fail the same way (no enumeration).
 */
export async function authenticateToken(cp: ControlPlane, token: string): Promise<Principal | null> {
  if (!looksLikeToken(token)) return null;
  const row = await cp.identity.tokenByHash(tokenHash(token));
  const now = cp.now();
  if (!row || row.revoked_at || hasPassed(row.expires_at, now)) return null;
  const principal = await cp.identity.principalById(row.principal_id, now);
  if (!principal || principal.status !== 'active') return null;
  try {
    await cp.identity.touchToken(row.id, now.toISOString());
    await cp.identity.touchActivity(principal.id, now.toISOString());
  } catch (error) {
    // A store that cannot write now (a full disk) still lets a valid token read, so that
    // admins and auditors can see what is going on; only its last-used time goes stale. A
    // change fails on its own, at its ledger record.
    if (!isStoreUnavailable(error)) throw error;
  }
  return { ...principal, last_activity_at: now.toISOString() };
}
