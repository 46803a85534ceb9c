import type { Kysely, Selectable } from 'kysely';
import type { Database, GroupsTable, PrincipalSecretsTable, PrincipalsTable, TokensTable } from '../store/schema.js';
import { effectiveStatus, hasPassed, type Group, type Membership, type Principal, type Role, type TokenInfo } from './model.js';

/** The store's SQL for principals, secrets, tokens, groups and memberships. Reads are always fresh. */
export class IdentityRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private toPrincipal(row: Selectable<PrincipalsTable>, now: Date): Principal {
    return {
      id: row.id,
      kind: row.kind as Principal['kind'],
      name: row.name,
      display_name: row.display_name,
      email: row.email,
      role: row.role as Role,
      status: effectiveStatus(row.status, row.expires_at, now),
      expires_at: row.expires_at,
      source: row.source as Principal['source'],
      created_at: row.created_at,
      updated_at: row.updated_at,
      last_login_at: row.last_login_at,
      last_activity_at: row.last_activity_at,
    };
  }

  async principals(now: Date): Promise<Principal[]> {
    const rows = await this.db.selectFrom('principals').selectAll().orderBy('name').execute();
    return rows.map((r) => this.toPrincipal(r, now));
  }

  async principal(name: string, now: Date): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('principals').selectAll().where('name', '=', name).executeTakeFirst();
    return row && this.toPrincipal(row, now);
  }

  async principalById(id: string, now: Date): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('principals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.toPrincipal(row, now);
  }

  async insertPrincipal(row: Selectable<PrincipalsTable>): Promise<void> {
    await this.db.insertInto('principals').values(row).execute();
  }

  async updatePrincipal(id: string, changes: Partial<Selectable<PrincipalsTable>>): Promise<void> {
    await this.db.updateTable('principals').set(changes).where('id', '=', id).execute();
  }

  async deletePrincipal(id: string): Promise<void> {
    await this.db.deleteFrom('principals').where('id', '=', id).execute();
  }

  async touchLogin(id: string, at: string): Promise<void> {
    await this.db.updateTable('principals').set({ last_login_at: at, last_activity_at: at }).where('id', '=', id).execute();
  }

  /** Last activity: any authenticated use (API call, database session). Access reviews read it. */
  async touchActivity(id: string, at: string): Promise<void> {
    await this.db.updateTable('principals').set({ last_activity_at: at }).where('id', '=', id).execute();
  }

  async secrets(principalId: string) {
    return this.db.selectFrom('principal_secrets').selectAll().where('principal_id', '=', principalId).executeTakeFirst();
  }

  async upsertSecrets(row: Selectable<PrincipalSecretsTable>): Promise<void> {
    await this.db
      .insertInto('principal_secrets')
      .values(row)
      .onConflict((oc) =>
        oc.column('principal_id').doUpdateSet({
          password_hash: row.password_hash,
          scram_stored_key: row.scram_stored_key,
          scram_server_key: row.scram_server_key,
          mysql_native_hash: row.mysql_native_hash,
          mysql_sha2_hash: row.mysql_sha2_hash,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Fills in the MySQL verifiers of a password that predates them (after a login that proved it). */
  async setMysqlPasswordVerifiers(principalId: string, native: Buffer, sha2: Buffer, at: string): Promise<void> {
    await this.db
      .updateTable('principal_secrets')
      .set({ mysql_native_hash: native, mysql_sha2_hash: sha2, updated_at: at })
      .where('principal_id', '=', principalId)
      .execute();
  }

  private toToken(row: Selectable<TokensTable>, principal: string, now: Date): TokenInfo {
    return {
      id: row.id,
      principal,
      name: row.name,
      prefix: row.prefix,
      created_at: row.created_at,
      expires_at: row.expires_at,
      revoked_at: row.revoked_at,
      last_used_at: row.last_used_at,
      state: row.revoked_at ? 'revoked' : hasPassed(row.expires_at, now) ? 'expired' : 'active',
    };
  }

  async tokens(now: Date, filter: { principalId?: string; id?: string } = {}): Promise<TokenInfo[]> {
    let q = this.db
      .selectFrom('tokens')
      .innerJoin('principals', 'principals.id', 'tokens.principal_id')
      .selectAll('tokens')
      .select('principals.name as principal_name')
      .orderBy('tokens.created_at');
    if (filter.principalId) q = q.where('tokens.principal_id', '=', filter.principalId);
    if (filter.id) q = q.where('tokens.id', '=', filter.id);
    const rows = await q.execute();
    return rows.map((r) => this.toToken(r, r.principal_name, now));
  }

  async token(id: string, now: Date): Promise<TokenInfo | undefined> {
    return (await this.tokens(now, { id }))[0];
  }

  async tokenByHash(hash: Buffer) {
    return this.db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  /** Live token verifiers of a principal, for SCRAM and mysql_native_password (a gateway tries each). */
  async liveTokenVerifiers(principalId: string, now: Date) {
    const rows = await this.db
      .selectFrom('tokens')
      .select(['id', 'scram_stored_key', 'scram_server_key', 'mysql_native_hash', 'expires_at'])
      .where('principal_id', '=', principalId)
      .where('revoked_at', 'is', null)
      .execute();
    return rows.filter((r) => !hasPassed(r.expires_at, now));
  }

  async insertToken(row: Selectable<TokensTable>): Promise<void> {
    await this.db.insertInto('tokens').values(row).execute();
  }

  async revokeToken(id: string, at: string): Promise<void> {
    await this.db.updateTable('tokens').set({ revoked_at: at }).where('id', '=', id).execute();
  }

  async touchToken(id: string, at: string): Promise<void> {
    await this.db.updateTable('tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async groups(): Promise<Group[]> {
    const rows = await this.db
      .selectFrom('groups')
      .leftJoin('principals', 'principals.id', 'groups.owner_id')
      .selectAll('groups')
      .select('principals.name as owner')
      .orderBy('groups.name')
      .execute();
    return rows.map(({ owner_id: _ownerId, ...g }) => ({ ...g, owner: g.owner ?? null }));
  }

  async group(name: string): Promise<(Group & { owner_id: string | null }) | undefined> {
    const row = await this.db
      .selectFrom('groups')
      .leftJoin('principals', 'principals.id', 'groups.owner_id')
      .selectAll('groups')
      .select('principals.name as owner')
      .where('groups.name', '=', name)
      .executeTakeFirst();
    return row && { ...row, owner: row.owner ?? null };
  }

  async insertGroup(row: Selectable<GroupsTable>): Promise<void> {
    await this.db.insertInto('groups').values(row).execute();
  }

  async updateGroup(id: string, changes: { description?: string; owner_id?: string | null; updated_at: string }) {
    await this.db.updateTable('groups').set(changes).where('id', '=', id).execute();
  }

  async deleteGroup(id: string): Promise<void> {
    await this.db.deleteFrom('groups').where('id', '=', id).execute();
  }

  /** Memberships, optionally of one group or one principal, with names resolved. */
  async memberships(now: Date, filter: { groupId?: string; principalId?: string } = {}): Promise<Membership[]> {
    let q = this.db
      .selectFrom('memberships')
      .innerJoin('groups', 'groups.id', 'memberships.group_id')
      .innerJoin('principals', 'principals.id', 'memberships.principal_id')
      .select(['groups.name as group', 'principals.name as principal', 'memberships.expires_at', 'memberships.created_at'])
      .orderBy('groups.name')
      .orderBy('principals.name');
    if (filter.groupId) q = q.where('memberships.group_id', '=', filter.groupId);
    if (filter.principalId) q = q.where('memberships.principal_id', '=', filter.principalId);
    const rows = await q.execute();
    return rows.map((r) => ({ ...r, active: !hasPassed(r.expires_at, now) }));
  }

  async membershipRows(principalId: string) {
    return this.db
      .selectFrom('memberships')
      .innerJoin('groups', 'groups.id', 'memberships.group_id')
      .select(['groups.id as groupId', 'groups.name as groupName', 'memberships.expires_at as expiresAt'])
      .where('memberships.principal_id', '=', principalId)
      .orderBy('groups.name')
      .execute();
  }

  async upsertMembership(row: { group_id: string; principal_id: string; expires_at: string | null; created_at: string }) {
    await this.db
      .insertInto('memberships')
      .values(row)
      .onConflict((oc) => oc.columns(['group_id', 'principal_id']).doUpdateSet({ expires_at: row.expires_at }))
      .execute();
  }

  async deleteMembership(groupId: string, principalId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('memberships')
      .where('group_id', '=', groupId)
      .where('principal_id', '=', principalId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
