import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The control plane: principals, their secrets, groups, connections, grants and deny rules.
 * Unlike the ledger these rows change; every change is recorded in the ledger instead
 * (admin.* events), so the history lives there and these tables hold only the present.
 * Times are RFC 3339 UTC text with milliseconds, which sorts and compares as text.
 * JSON columns (tags, privileges, objects, match) are text in both dialects.
 */
export function controlPlaneMigration(dialect: Dialect) {
  const blob = dialect === 'sqlite' ? 'blob' : 'bytea';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('principals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull()) // human | service
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text')
        .addColumn('email', 'text')
        .addColumn('role', 'text', (c) => c.notNull()) // admin | auditor | member (the API role)
        .addColumn('status', 'text', (c) => c.notNull()) // active | disabled | expired
        .addColumn('expires_at', 'text')
        .addColumn('source', 'text', (c) => c.notNull()) // local (scim, oidc later)
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_login_at', 'text')
        .addColumn('last_activity_at', 'text')
        .execute();

      // One SCRAM salt and iteration count per principal, shared by the password and every
      // token: a server sends the salt before it knows which secret the client holds, then
      // checks the proof against each verifier (RFC 5802 §3, see identity/scram.ts).
      await db.schema
        .createTable('principal_secrets')
        .addColumn('principal_id', 'text', (c) => c.primaryKey().references('principals.id').onDelete('cascade'))
        .addColumn('scram_salt', blob, (c) => c.notNull())
        .addColumn('scram_iterations', 'integer', (c) => c.notNull())
        .addColumn('password_hash', 'text') // PHC string, scrypt; null for token-only principals
        .addColumn('scram_stored_key', blob)
        .addColumn('scram_server_key', blob)
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('principal_id', 'text', (c) => c.notNull().references('principals.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', blob, (c) => c.notNull().unique()) // SHA-256 of the token
        .addColumn('prefix', 'text', (c) => c.notNull()) // first characters, to tell tokens apart
        .addColumn('scram_stored_key', blob, (c) => c.notNull())
        .addColumn('scram_server_key', blob, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('tokens_principal').on('tokens').column('principal_id').execute();

      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('owner_id', 'text', (c) => c.references('principals.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('memberships')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('principal_id', 'text', (c) => c.notNull().references('principals.id').onDelete('cascade'))
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['group_id', 'principal_id'])
        .execute();
      await db.schema.createIndex('memberships_principal').on('memberships').column('principal_id').execute();

      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('engine', 'text', (c) => c.notNull()) // postgres | mysql
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('database', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('secret', 'text') // AES-256-GCM sealed upstream password (connections/secret-box.ts)
        .addColumn('tls_mode', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull()) // JSON object of strings
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('on_selector', 'text', (c) => c.notNull()) // JSON ConnectionSelector
        .addColumn('privileges', 'text', (c) => c.notNull()) // JSON array
        .addColumn('objects', 'text', (c) => c.notNull()) // JSON array of schema.table globs
        .addColumn('expires_at', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('grants_group').on('grants').column('group_id').execute();

      await db.schema
        .createTable('deny_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('on_selector', 'text', (c) => c.notNull()) // JSON ConnectionSelector
        .addColumn('match', 'text', (c) => c.notNull()) // JSON DenyMatch
        .addColumn('reason', 'text')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
