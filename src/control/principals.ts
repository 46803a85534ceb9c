import type { z } from 'zod';
import { hashPassword } from '../identity/password.js';
import { newScramSalt, scramVerifier } from '../identity/scram.js';
import { mysqlVerifiers } from '../identity/mysql-verifiers.js';
import { newId, type Principal } from '../identity/model.js';
import type { ControlPlane, Actor, Target } from './plane.js';
import { conflict, invalid, notFound } from './errors.js';
import type { principalCreate, principalUpdate } from './inputs.js';

const targetOf = (p: Pick<Principal, 'id' | 'name' | 'kind'>): Target => ({
  type: p.kind === 'human' ? 'user' : 'service_account',
  id: p.id,
  name: p.name,
});
const actionOf = (p: Pick<Principal, 'kind'>, verb: string) =>
  `admin.${p.kind === 'human' ? 'user' : 'service_account'}.${verb}`;

/** What the ledger records of a principal: no secret, no derived fields. */
function recorded(p: Principal) {
  const { status, expires_at, role, kind, name, display_name, email } = p;
  return { kind, name, display_name, email, role, status, expires_at };
}

export async function getPrincipal(cp: ControlPlane, name: string): Promise<Principal> {
  const p = await cp.identity.principal(name, cp.now());
  if (!p) throw notFound('user or service account', name);
  return p;
}

/**
 * The principal's SCRAM salt and iteration count, made on first need and then kept: the
 * password and every token share them (see store migration 002 for why).
 */
export async function scramParameters(cp: ControlPlane, principalId: string) {
  const existing = await cp.identity.secrets(principalId);
  if (existing) return existing;
  const row = {
    principal_id: principalId,
    scram_salt: newScramSalt(),
    scram_iterations: cp.scramIterations,
    password_hash: null,
    scram_stored_key: null,
    scram_server_key: null,
    mysql_native_hash: null,
    mysql_sha2_hash: null,
    updated_at: cp.now().toISOString(),
  };
  await cp.identity.upsertSecrets(row);
  return row;
}

async function saveSecrets(cp: ControlPlane, principalId: string, password: string | null): Promise<void> {
  const { scram_salt: salt, scram_iterations: iterations } = await scramParameters(cp, principalId);
  const verifier = password === null ? null : scramVerifier(password, salt, iterations);
  const mysql = password === null ? null : mysqlVerifiers(password);
  await cp.identity.upsertSecrets({
    principal_id: principalId,
    scram_salt: salt,
    scram_iterations: iterations,
    password_hash: password === null ? null : await hashPassword(password, cp.scryptCost),
    scram_stored_key: verifier?.storedKey ?? null,
    scram_server_key: verifier?.serverKey ?? null,
    mysql_native_hash: mysql?.native ?? null,
    mysql_sha2_hash: mysql?.sha2 ?? null,
    updated_at: cp.now().toISOString(),
  });
}

export async function createPrincipal(
  cp: ControlPlane,
  actor: Actor,
  input: z.output<typeof principalCreate>,
): Promise<Principal> {
  if (await cp.identity.principal(input.name, cp.now())) throw conflict('user or service account', input.name);
  if (input.kind === 'service' && input.password) throw invalid('service accounts authenticate with tokens, not passwords');
  const now = cp.now().toISOString();
  const row = {
    id: newId(input.kind === 'human' ? 'usr' : 'svc'),
    kind: input.kind,
    name: input.name,
    display_name: input.display_name ?? null,
    email: input.email ?? null,
    role: input.role,
    status: 'active',
    expires_at: input.expires_at ?? null,
    source: 'local',
    created_at: now,
    updated_at: now,
    last_login_at: null,
    last_activity_at: null,
  };
  const after = { kind: row.kind, name: row.name, display_name: row.display_name, email: row.email, role: row.role, status: row.status, expires_at: row.expires_at };
  return cp.audited(actor, actionOf(row, 'create'), targetOf(row), { after }, async () => {
    await cp.identity.insertPrincipal(row);
    await saveSecrets(cp, row.id, input.password ?? null);
    return getPrincipal(cp, row.name);
  });
}

export async function updatePrincipal(
  cp: ControlPlane,
  actor: Actor,
  name: string,
  input: z.output<typeof principalUpdate>,
): Promise<Principal> {
  const before = await getPrincipal(cp, name);
  if (before.kind === 'service' && input.email) throw invalid('service accounts have no email');
  if (before.kind === 'service' && input.password) throw invalid('service accounts authenticate with tokens, not passwords');
  if (actor.id === before.id && (input.status === 'disabled' || (input.role && input.role !== 'admin' && before.role === 'admin'))) {
    throw invalid('you cannot disable yourself or drop your own admin role; ask another admin');
  }
  const { password, ...fields } = input;
  const changes = { ...fields, updated_at: cp.now().toISOString() };
  const after = { ...recorded(before), ...fields };
  const change = { before: recorded(before), after: password ? { ...after, password: 'changed' } : after };
  return cp.audited(actor, actionOf(before, 'update'), targetOf(before), change, async () => {
    await cp.identity.updatePrincipal(before.id, changes);
    if (password) await saveSecrets(cp, before.id, password);
    return getPrincipal(cp, name);
  });
}

export async function deletePrincipal(cp: ControlPlane, actor: Actor, name: string): Promise<void> {
  const before = await getPrincipal(cp, name);
  if (actor.id === before.id) throw invalid('you cannot delete yourself; ask another admin');
  await cp.audited(actor, actionOf(before, 'delete'), targetOf(before), { before: recorded(before) }, () =>
    cp.identity.deletePrincipal(before.id),
  );
}
