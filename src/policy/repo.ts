import type { Kysely, Selectable } from 'kysely';
import type { Database, DenyRulesTable, GrantsTable } from '../store/schema.js';
import type { Privilege } from '../sql/types.js';
import type { ConnectionSelector, DenyMatch, PolicyDenyRule, PolicyGrant } from './types.js';

/** A grant as the API shows it. */
export interface Grant {
  id: string;
  group: string;
  on: ConnectionSelector;
  privileges: Privilege[];
  objects: string[];
  expires_at: string | null;
  reason: string | null;
  created_by: string | null;
  created_at: string;
}

export interface DenyRule {
  id: string;
  name: string;
  on: ConnectionSelector;
  match: DenyMatch;
  reason: string | null;
  created_by: string | null;
  created_at: string;
}

type GrantRow = Selectable<GrantsTable> & { group_name: string };

function toGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    group: row.group_name,
    on: JSON.parse(row.on_selector) as ConnectionSelector,
    privileges: JSON.parse(row.privileges) as Privilege[],
    objects: JSON.parse(row.objects) as string[],
    expires_at: row.expires_at,
    reason: row.reason,
    created_by: row.created_by,
    created_at: row.created_at,
  };
}

function toDenyRule(row: Selectable<DenyRulesTable>): DenyRule {
  return {
    id: row.id,
    name: row.name,
    on: JSON.parse(row.on_selector) as ConnectionSelector,
    match: JSON.parse(row.match) as DenyMatch,
    reason: row.reason,
    created_by: row.created_by,
    created_at: row.created_at,
  };
}

/** The store's SQL for grants and deny rules. No cache: every decision reads the present. */
export class PolicyRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async grants(filter: { groupIds?: string[]; id?: string } = {}): Promise<Grant[]> {
    if (filter.groupIds && filter.groupIds.length === 0) return [];
    let q = this.db
      .selectFrom('grants')
      .innerJoin('groups', 'groups.id', 'grants.group_id')
      .selectAll('grants')
      .select('groups.name as group_name')
      .orderBy('grants.created_at')
      .orderBy('grants.id');
    if (filter.groupIds) q = q.where('grants.group_id', 'in', filter.groupIds);
    if (filter.id) q = q.where('grants.id', '=', filter.id);
    return (await q.execute()).map(toGrant);
  }

  /** Grants in the decision function's shape, for the given groups. */
  async policyGrants(groupIds: string[]): Promise<PolicyGrant[]> {
    if (groupIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('groups', 'groups.id', 'grants.group_id')
      .selectAll('grants')
      .select('groups.name as group_name')
      .where('grants.group_id', 'in', groupIds)
      .execute();
    return rows.map((row) => {
      const g = toGrant(row);
      return {
        id: g.id,
        groupId: row.group_id,
        groupName: g.group,
        on: g.on,
        privileges: g.privileges,
        objects: g.objects,
        expiresAt: g.expires_at,
        reason: g.reason,
      };
    });
  }

  async insertGrant(row: Selectable<GrantsTable>): Promise<void> {
    await this.db.insertInto('grants').values(row).execute();
  }

  async deleteGrant(id: string): Promise<void> {
    await this.db.deleteFrom('grants').where('id', '=', id).execute();
  }

  async denyRules(): Promise<DenyRule[]> {
    return (await this.db.selectFrom('deny_rules').selectAll().orderBy('name').execute()).map(toDenyRule);
  }

  async policyDenyRules(): Promise<PolicyDenyRule[]> {
    return (await this.denyRules()).map(({ id, name, on, match, reason }) => ({ id, name, on, match, reason }));
  }

  async insertDenyRule(row: Selectable<DenyRulesTable>): Promise<void> {
    await this.db.insertInto('deny_rules').values(row).execute();
  }

  async deleteDenyRule(id: string): Promise<void> {
    await this.db.deleteFrom('deny_rules').where('id', '=', id).execute();
  }
}
