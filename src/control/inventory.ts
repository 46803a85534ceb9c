import type { Principal } from '../identity/model.js';
import type { EffectiveAccess } from '../policy/index.js';
import type { ControlPlane } from './plane.js';
import { accessOf, policyPrincipal } from './decide.js';
import { hasPassed } from '../identity/model.js';

/** One principal in the access inventory (the "who has access to what" an auditor asks for). */
export interface InventoryRow {
  name: string;
  kind: Principal['kind'];
  role: Principal['role'];
  status: Principal['status'];
  source: Principal['source'];
  expires_at: string | null;
  last_login_at: string | null;
  last_activity_at: string | null;
  /** Groups whose membership counts now. */
  groups: string[];
  access: EffectiveAccess[];
}

export async function inventory(cp: ControlPlane): Promise<InventoryRow[]> {
  const [principals, connections] = await Promise.all([cp.identity.principals(cp.now()), cp.connections.list()]);
  const rows: InventoryRow[] = [];
  for (const p of principals) {
    const who = await policyPrincipal(cp, p);
    rows.push({
      name: p.name,
      kind: p.kind,
      role: p.role,
      status: p.status,
      source: p.source,
      expires_at: p.expires_at,
      last_login_at: p.last_login_at,
      last_activity_at: p.last_activity_at,
      groups: who.groups.filter((g) => !hasPassed(g.expiresAt, cp.now())).map((g) => g.groupName),
      access: await accessOf(cp, who, connections),
    });
  }
  return rows;
}

const CSV_COLUMNS = ['principal', 'kind', 'role', 'status', 'source', 'expires_at', 'last_login_at', 'groups', 'connection', 'privileges', 'objects', 'grants'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break. Formula-looking cells are defused for spreadsheets. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One line per principal and connection; a principal with no access gets one line with empty access columns. */
export function inventoryCsv(rows: InventoryRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const base = [r.name, r.kind, r.role, r.status, r.source, r.expires_at ?? '', r.last_login_at ?? '', r.groups.join(' ')];
    const access = r.access.length > 0 ? r.access : [undefined];
    for (const a of access) {
      const cells = a
        ? [
            a.connectionName,
            a.privileges.map((p) => p.privilege).join(' '),
            a.privileges.map((p) => `${p.privilege}:${p.objects.join('|')}`).join(' '),
            a.grants.map((g) => g.id).join(' '),
          ]
        : ['', '', '', ''];
      lines.push([...base, ...cells].map(field).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
