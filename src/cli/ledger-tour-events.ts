/** Plausible audit events for the ledger tour: people and a service logging in and running statements. */
const people = [
  { id: 'u-alice', kind: 'human', name: 'alice', groups: ['analysts'] },
  { id: 'u-bob', kind: 'human', name: 'bob', groups: ['engineers'] },
  { id: 's-etl', kind: 'service', name: 'etl-nightly', groups: ['pipelines'] },
] as const;

const statements = [
  'SELECT id, total FROM sales.orders WHERE created_at > now() - interval \'1 day\'',
  "SELECT email FROM crm.customers WHERE id = 4711",
  'UPDATE staging.orders SET status = \'shipped\' WHERE id = 991',
  'INSERT INTO staging.events (kind) VALUES (\'import\')',
];

export function tourEvents(count: number): unknown[] {
  const start = Date.now() - count * 1000;
  return Array.from({ length: count }, (_, i) => {
    const actor = people[i % people.length]!;
    const time = new Date(start + i * 1000).toISOString();
    const context = { session: `s-${Math.floor(i / 10)}`, client_addr: '127.0.0.1', application: 'psql' };
    if (i % 10 === 0) return { time, actor, action: 'auth.login', target: { connection: 'orders-prod' }, outcome: { ok: true }, context };
    const statement = statements[i % statements.length]!;
    return {
      time,
      actor,
      action: 'db.query',
      target: { connection: 'orders-prod' },
      decision: { allow: true, grants: [`${actor.groups[0]}-read`] },
      outcome: { rows: i % 7, duration_ms: (i % 13) + 0.5 },
      context,
      payload: { statement },
    };
  });
}
