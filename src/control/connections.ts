import type { z } from 'zod';
import { newId } from '../identity/model.js';
import { DEFAULT_PORTS, type Connection } from '../connections/repo.js';
import { open, seal } from '../connections/secret-box.js';
import type { Actor, ControlPlane } from './plane.js';
import { conflict, ControlError, notFound } from './errors.js';
import type { connectionCreate, connectionUpdate } from './inputs.js';

/** Sealed values are bound to their connection's id, so one copied onto another row does not open. */
const secretContext = (id: string) => `gatehouse.connection.password:${id}`;
const recorded = ({ id: _id, created_at: _c, updated_at: _u, ...c }: Connection) => c;

export async function getConnection(cp: ControlPlane, name: string): Promise<Connection> {
  const c = await cp.connections.get(name);
  if (!c) throw notFound('connection', name);
  return c;
}

export async function createConnection(cp: ControlPlane, actor: Actor, input: z.output<typeof connectionCreate>) {
  if (await cp.connections.get(input.name)) throw conflict('connection', input.name);
  const now = cp.now().toISOString();
  const id = newId('con');
  const row = {
    id,
    name: input.name,
    engine: input.engine,
    host: input.host,
    port: input.port ?? DEFAULT_PORTS[input.engine],
    database: input.database,
    username: input.username,
    secret: input.password === undefined ? null : seal(cp.masterKey, input.password, secretContext(id)),
    tls_mode: input.tls_mode,
    tags: JSON.stringify(input.tags),
    created_at: now,
    updated_at: now,
  };
  const { secret: _secret, ...visible } = row;
  const after = { ...visible, tags: input.tags, has_password: row.secret !== null };
  return cp.audited(actor, 'admin.connection.create', { type: 'connection', id, name: input.name }, { after }, async () => {
    await cp.connections.insert(row);
    return getConnection(cp, input.name);
  });
}

export async function updateConnection(
  cp: ControlPlane,
  actor: Actor,
  name: string,
  input: z.output<typeof connectionUpdate>,
): Promise<Connection> {
  const before = await getConnection(cp, name);
  const { password, tags, ...fields } = input;
  const changes = {
    ...fields,
    ...(tags ? { tags: JSON.stringify(tags) } : {}),
    ...(password !== undefined ? { secret: password === null ? null : seal(cp.masterKey, password, secretContext(before.id)) } : {}),
    updated_at: cp.now().toISOString(),
  };
  const after = { ...recorded(before), ...fields, ...(tags ? { tags } : {}), ...(password !== undefined ? { has_password: password !== null, password: password === null ? 'removed' : 'changed' } : {}) };
  const target = { type: 'connection' as const, id: before.id, name };
  return cp.audited(actor, 'admin.connection.update', target, { before: recorded(before), after }, async () => {
    await cp.connections.update(before.id, changes);
    return getConnection(cp, name);
  });
}

/**
 * Refused while a grant or deny rule names the connection: they would otherwise apply to the
 * next connection given this name, unseen.
 */
export async function deleteConnection(cp: ControlPlane, actor: Actor, name: string): Promise<void> {
  const before = await getConnection(cp, name);
  const names = (on: { connection?: string }) => on.connection === name;
  const grants = (await cp.policy.grants()).filter((g) => names(g.on as { connection?: string }));
  const rules = (await cp.policy.denyRules()).filter((r) => names(r.on as { connection?: string }));
  if (grants.length + rules.length > 0) {
    const list = [...grants.map((g) => `grant ${g.id}`), ...rules.map((r) => `deny rule ${r.name}`)].join(', ');
    throw new ControlError('conflict', `connection "${name}" is named by ${list}; revoke or delete those first`);
  }
  const target = { type: 'connection' as const, id: before.id, name };
  await cp.audited(actor, 'admin.connection.delete', target, { before: recorded(before) }, () => cp.connections.delete(before.id));
}

/** The upstream password, for the gateway's dialer only. Never returned by the API or logged. */
export async function upstreamPassword(cp: ControlPlane, name: string): Promise<string | null> {
  const row = await cp.connections.row(name);
  if (!row) throw notFound('connection', name);
  return row.secret === null ? null : open(cp.masterKey, row.secret, secretContext(row.id));
}
