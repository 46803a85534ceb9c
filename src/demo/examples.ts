import pg from 'pg';
import type { Endpoint } from './start.js';

/** What one statement sent through the gateway came back with. */
export type ExampleOutcome =
  | { ok: true; sql: string; rows: Record<string, unknown>[] }
  | { ok: false; sql: string; code: string; message: string };

/**
 * Runs statements through the gateway as a user would, with the `pg` driver: one session,
 * password authentication, database = the connection's name. Errors from the server become
 * outcomes (that is the point of the denied example); failing to connect throws.
 */
export async function runThroughGateway(
  gateway: Endpoint,
  login: { user: string; password: string; connection: string },
  statements: readonly string[],
): Promise<ExampleOutcome[]> {
  const client = new pg.Client({
    host: gateway.host,
    port: gateway.port,
    user: login.user,
    password: login.password,
    database: login.connection,
    application_name: 'gatehouse-demo',
    ssl: false,
    connectionTimeoutMillis: 10_000,
  });
  // An 'error' event without a listener would end the process (a server going away).
  client.on('error', () => {});
  await client.connect();
  try {
    const outcomes: ExampleOutcome[] = [];
    for (const sql of statements) {
      try {
        const result = await client.query(sql);
        outcomes.push({ ok: true, sql, rows: result.rows as Record<string, unknown>[] });
      } catch (error) {
        const e = error as Error & { code?: string };
        if (!e.code) throw error;
        outcomes.push({ ok: false, sql, code: e.code, message: e.message });
      }
    }
    return outcomes;
  } finally {
    await client.end().catch(() => {});
  }
}
