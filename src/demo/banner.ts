import type { CheckpointRow } from '../ledger/repo/index.js';
import type { ExampleOutcome } from './examples.js';
import { DEMO_DENY_RULE, DEMO_STATEMENTS } from './seed.js';
import type { RunningDemo } from './start.js';

/** What `gatehouse demo` prints: ready-to-paste commands for a shell. Pure text, no I/O. */

/** A shell word: as is when it is plain, else single-quoted. */
export const shellWord = (s: string) => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const CLI = 'node dist/src/cli/main.js';
const hostPart = (host: string) => (host.includes(':') ? `[${host}]` : host);

export function gatewayUrl(demo: Pick<RunningDemo, 'gateway' | 'seed'>, user: string, password: string): string {
  const at = demo.gateway!;
  return `postgres://${user}:${encodeURIComponent(password)}@${hostPart(at.host)}:${at.port}/${demo.seed.connection}`;
}

export function setupText(demo: RunningDemo): string {
  const { seed, upstream, api, gateway } = demo;
  const pgVersion = /^PostgreSQL (\S+)/.exec(upstream.version)?.[1] ?? upstream.version;
  const lines = [
    'Gatehouse demo: an access gateway in front of a sample PostgreSQL, every login, statement and',
    'admin change in a tamper-evident audit ledger.',
    '',
    `  store       SQLite in ${demo.dataDir} (with the ledger signing key and the master key)`,
    `  upstream    PGlite (PostgreSQL ${pgVersion} in WebAssembly, in memory) on ${upstream.host}:${upstream.port},`,
    `              the connection "${seed.connection}" (tags env=demo): schemas sales, staging, hr`,
    gateway
      ? `  gateway     PostgreSQL protocol on ${hostPart(gateway.host)}:${gateway.port} (user = Gatehouse user, database = connection name)`
      : '  gateway     off (--no-pg)',
    `  admin API   ${api.url} (OpenAPI at ${api.url}/openapi.json)`,
    `  ledger      ${demo.ledgerSize()} entries so far (origin ${demo.origin}); a checkpoint is signed every second`,
    '',
    `Who may do what on "${seed.connection}" (default deny; all of it made through the control plane, so in the ledger):`,
    '  alice   group analysts    read sales.*',
    '  bob     group engineers   read and write staging.*, read sales.*',
    '  carol   group auditors    no database grant; role auditor in the admin API (reads the ledger and the grants)',
    `  rule ${DEMO_DENY_RULE}: no DROP or TRUNCATE on env=demo connections, whatever a grant says`,
    '  hr.employees (salaries) is granted to nobody.',
  ];
  if (gateway) {
    const alice = gatewayUrl(demo, 'alice', seed.passwords.alice);
    const bob = gatewayUrl(demo, 'bob', seed.passwords.bob);
    lines.push(
      '',
      'Connect with psql (demo-only passwords, new on every run):',
      `  psql "${alice}"`,
      `  psql "${bob}"`,
      '',
      'As alice, this is allowed (read on sales.*):',
      `  psql "${alice}" -c "${DEMO_STATEMENTS.allowed}"`,
      'and this is denied with SQLSTATE 42501 (her grant is read only):',
      `  psql "${alice}" -c "${DEMO_STATEMENTS.denied}"`,
      'As bob, writing staging is allowed, dropping it is not (the deny rule):',
      `  psql "${bob}" -c "UPDATE staging.customer_import SET status = 'merged' WHERE id = 2"`,
      `  psql "${bob}" -c "DROP TABLE staging.price_changes"`,
      "carol's API token is also her database password (any token is); she logs in and is denied, having no grant:",
      `  psql "${gatewayUrl(demo, 'carol', seed.auditorToken)}" -c "SELECT count(*) FROM sales.customers"`,
    );
  }
  lines.push(
    '',
    'The admin API (demo-only tokens; the admin commands read GATEHOUSE_URL and GATEHOUSE_TOKEN):',
    `  export GATEHOUSE_URL=${api.url.replace(/\/api\/v1$/, '')}`,
    `  export GATEHOUSE_TOKEN=${seed.adminToken}`,
    `  curl -s -H "Authorization: Bearer $GATEHOUSE_TOKEN" ${api.url}/grants`,
    `  ${CLI} inventory`,
    `  carol's token (auditor: read-only): ${seed.auditorToken}`,
    '',
    'After you stop it (Ctrl-C signs the final checkpoint), verify the ledger offline:',
    `  ${CLI} ledger verify --data-dir ${shellWord(demo.dataDir)}`,
    `  ${CLI} ledger export --data-dir ${shellWord(demo.dataDir)} --out ./demo-bundle`,
    `and run the demo again on the same state with --data-dir ${shellWord(demo.dataDir)}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** One example's result: a short table of rows, or the error with its SQLSTATE. */
export function outcomeText(label: string, outcome: ExampleOutcome): string {
  const head = `${label}: ${outcome.sql}`;
  if (!outcome.ok) return `${head}\n  -> ERROR ${outcome.code}: ${outcome.message}\n`;
  const rows = outcome.rows.map((r) => `  ${Object.values(r).map(String).join(' | ')}`);
  return `${head}\n  -> ${outcome.rows.length} row${outcome.rows.length === 1 ? '' : 's'}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

export function stoppedText(result: { checkpoint: CheckpointRow | undefined; size: number }, dataDir: string): string {
  const lines = [`stopped; the ledger holds ${result.size} entries`];
  if (result.checkpoint) {
    lines.push(`final checkpoint (size ${result.checkpoint.size}):`, result.checkpoint.note.trimEnd().replace(/^(?=.)/gm, '    '));
  }
  lines.push(`verify it: ${CLI} ledger verify --data-dir ${shellWord(dataDir)}`);
  return `${lines.join('\n')}\n`;
}
