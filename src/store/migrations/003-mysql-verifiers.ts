import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * The verifiers the MySQL gateway checks logins against, beside the SCRAM ones
 * (identity/mysql-verifiers.ts says what each is and why these and no more):
 * - principal_secrets.mysql_native_hash: SHA1(SHA1(password)), for mysql_native_password;
 * - principal_secrets.mysql_sha2_hash: SHA256(SHA256(password)), for caching_sha2_password's
 *   fast path;
 * - tokens.mysql_native_hash: SHA1(SHA1(token)), for mysql_native_password.
 * All nullable: passwords set and tokens made before this migration have none until a login
 * over full authentication fills them in (the password's) or the token is replaced.
 */
export function mysqlVerifiersMigration(dialect: Dialect) {
  const blob = dialect === 'sqlite' ? 'blob' : 'bytea';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('principal_secrets').addColumn('mysql_native_hash', blob).execute();
      await db.schema.alterTable('principal_secrets').addColumn('mysql_sha2_hash', blob).execute();
      await db.schema.alterTable('tokens').addColumn('mysql_native_hash', blob).execute();
    },
  };
}
