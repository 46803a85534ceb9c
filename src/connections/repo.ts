import type { Kysely, Selectable } from 'kysely';
import type { ConnectionsTable, Database } from '../store/schema.js';

export type Engine = 'postgres' | 'mysql';
export type TlsMode = 'disable' | 'prefer' | 'require' | 'verify-full';

/** A connection as every API and log shows it: whether a password is set, never the password. */
export interface Connection {
  id: string;
  name: string;
  engine: Engine;
  host: string;
  port: number;
  database: string;
  username: string;
  has_password: boolean;
  tls_mode: TlsMode;
  tags: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export const DEFAULT_PORTS: Record<Engine, number> = { postgres: 5432, mysql: 3306 };

export function toConnection(row: Selectable<ConnectionsTable>): Connection {
  const { secret, tags, ...rest } = row;
  return {
    ...rest,
    engine: row.engine as Engine,
    tls_mode: row.tls_mode as TlsMode,
    has_password: secret !== null,
    tags: JSON.parse(tags) as Record<string, string>,
  };
}

export class ConnectionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<Connection[]> {
    return (await this.db.selectFrom('connections').selectAll().orderBy('name').execute()).map(toConnection);
  }

  /** The raw row, sealed secret included: only the gateway's upstream dialer should need it. */
  async row(name: string): Promise<Selectable<ConnectionsTable> | undefined> {
    return this.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async get(name: string): Promise<Connection | undefined> {
    const row = await this.row(name);
    return row && toConnection(row);
  }

  async insert(row: Selectable<ConnectionsTable>): Promise<void> {
    await this.db.insertInto('connections').values(row).execute();
  }

  async update(id: string, changes: Partial<Selectable<ConnectionsTable>>): Promise<void> {
    await this.db.updateTable('connections').set(changes).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('connections').where('id', '=', id).execute();
  }
}
