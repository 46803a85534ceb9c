import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError } from './errors.js';
import { gatewayMissing, initDataDir, setupBenchPolicy, startGateway, type AuditMode, type RunningGateway, type UpstreamSpec } from './gatehouse.js';
import { readLedgerTally, type LedgerTally } from './ledger-tally.js';
import { BENCH_DATABASE, benchMysqlServer, ensureBenchTable, findMysqlClient, INSTALL_MYSQL_CLIENT, runMysqlClients, StartGate, type MysqlTarget } from './mysql-clients.js';
import { checkLedger, checkTargets, CLIENTS, COLUMNS, Results, summariseRun, workloadRows, type MysqlRun, type TargetName } from './mysql-report.js';
import { clientScript, START_GATE, WORKLOAD, WORKLOADS, type WorkloadName } from './mysql-workload.js';
import { Results as PgResults } from './pg-report.js';
import { BENCH_DATABASE as PG_BENCH_DATABASE, benchPgServer, ensureBenchDatabase, findPgbench, runPgbench, type PgTarget } from './pgbench.js';
import { cellRows, printTargets, type TargetCheck } from './results.js';
import { printTable } from './table.js';
import { freePort, progress, type ServerTarget } from './tools.js';

/** Connection names in the gateways: MariaDB's bench database, and PostgreSQL's for the comparison. */
const MYSQL_CONNECTION = 'bench';
const PG_CONNECTION = 'bench-pg';
/** A cell's run is sized from a probe run of about this long (which also warms the path). */
const PROBE_SECONDS = 1;

export interface MysqlBenchOptions {
  seconds: number;
  /** Also measure pgbench -S at 8 clients, direct and through the same gateways (the target's yardstick). */
  pg: boolean;
}

export function parseMysqlBenchArgs(args: string[]): MysqlBenchOptions {
  const options: MysqlBenchOptions = { seconds: 10, pg: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--quick') options.seconds = 3;
    else if (arg === '--no-pg') options.pg = false;
    else if (arg === '--seconds') {
      const value = Number(args[++i]);
      if (!Number.isFinite(value) || value < 1 || value > 600) throw new BenchError(`--seconds takes a number of seconds from 1 to 600 (got ${args[i]})`);
      options.seconds = value;
    } else throw new BenchError(`unknown option ${arg}; the mysql suite takes --seconds N, --quick (3 s per cell) and --no-pg`);
  }
  return options;
}

/** One gateway of the run and what the bench sent through it, to be found again in its ledger. */
interface Gatehouse {
  mode: AuditMode;
  gateway: RunningGateway;
  dataDir: string;
  mysql: MysqlTarget;
  pg?: PgTarget;
  /** Statements the bench's MySQL clients sent through it, and the denials it provoked. */
  sent: number;
  denials: number;
}

interface Run {
  bin: string;
  seconds: number;
  scripts: string;
  seed: number;
  gate: StartGate;
  targets: Map<TargetName, { target: MysqlTarget; gatehouse?: Gatehouse }>;
}

/** Writes a script per client and runs the clients; resolves to the seconds they took. */
async function runScripts(run: Run, workload: WorkloadName, clients: number, transactions: number, name: TargetName): Promise<number> {
  const { target, gatehouse } = run.targets.get(name)!;
  const seed = ++run.seed;
  const files = Array.from({ length: clients }, (_, c) => {
    const file = join(run.scripts, `client-${c}.sql`);
    writeFileSync(file, clientScript(workload, c, clients, transactions, seed));
    return file;
  });
  // Counted before the run: a run that fails half-way has sent some of them.
  if (gatehouse) gatehouse.sent += clients * (1 + transactions * WORKLOAD[workload].statements);
  return runMysqlClients(run.bin, target, files, run.gate, 10 * run.seconds + 120);
}

/**
 * One cell: probe runs, each longer, until one lasts half of PROBE_SECONDS; then a run sized
 * from the probe's rate to last about `run.seconds`. Only that run is reported.
 */
async function measureCell(run: Run, workload: WorkloadName, clients: number, target: TargetName): Promise<MysqlRun> {
  const perTransaction = WORKLOAD[workload].statements;
  let transactions = Math.max(1, Math.ceil(200 / (perTransaction * clients)));
  let rate: number;
  for (;;) {
    const seconds = await runScripts(run, workload, clients, transactions, target);
    rate = transactions / seconds;
    if (seconds >= PROBE_SECONDS / 2) break;
    transactions = Math.ceil(transactions * Math.min(50, Math.max(2, PROBE_SECONDS / seconds)));
  }
  const sized = Math.max(1, Math.round(rate * run.seconds));
  const seconds = await runScripts(run, workload, clients, sized, target);
  return summariseRun(clients, sized * clients, perTransaction, seconds);
}

/**
 * Proves the gateway enforces the policy: a CREATE TABLE (ddl, which the bench user is not
 * granted) must be refused with 1142. It is one denied db.query entry in the ledger.
 */
async function expectDenied(run: Run, gatehouse: Gatehouse): Promise<void> {
  const file = join(run.scripts, 'denied.sql');
  writeFileSync(file, `${START_GATE};\nCREATE TABLE gatehouse_bench_denied (id INT);\n`);
  gatehouse.sent++;
  gatehouse.denials++;
  try {
    await runMysqlClients(run.bin, gatehouse.mysql, [file], run.gate, 60);
  } catch (error) {
    if (error instanceof BenchError && /ERROR 1142 /.test(error.message)) return;
    throw error;
  }
  throw new BenchError(`gatehouse (${gatehouse.mode}) let through a CREATE TABLE that the bench user is not granted: the policy is not enforced, so its figures would not be the gateway's`);
}

async function startGatehouse(mode: AuditMode, mysqlServer: MysqlTarget, pgServer: PgTarget | undefined, dirs: string[], gateways: RunningGateway[]): Promise<Gatehouse> {
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-bench-mysql-${mode}-`));
  dirs.push(dataDir);
  const token = initDataDir(dataDir);
  const gateway = await startGateway(dataDir, mode, { mysql: await freePort(), ...(pgServer ? { postgres: await freePort() } : {}) });
  gateways.push(gateway);
  const upstream = (name: string, engine: UpstreamSpec['engine'], s: ServerTarget, database: string): UpstreamSpec => ({
    name,
    engine,
    host: s.host,
    port: s.port,
    database,
    username: s.user,
    ...(s.password !== undefined ? { password: s.password } : {}),
  });
  const upstreams = [upstream(MYSQL_CONNECTION, 'mysql', mysqlServer, BENCH_DATABASE)];
  if (pgServer) upstreams.push(upstream(PG_CONNECTION, 'postgres', pgServer, PG_BENCH_DATABASE));
  const login = await setupBenchPolicy(gateway.apiUrl, token, upstreams);
  const { mysql, postgres } = gateway.listeners;
  progress(`gatehouse (${mode}) pid ${gateway.pid}: mysql on ${mysql!.host}:${mysql!.port}${postgres ? `, postgres on ${postgres.host}:${postgres.port}` : ''}`);
  return {
    mode,
    gateway,
    dataDir,
    mysql: { ...mysql!, database: MYSQL_CONNECTION, ...login },
    ...(postgres ? { pg: { ...postgres, database: PG_CONNECTION, ...login } } : {}),
    sent: 0,
    denials: 0,
  };
}

/** pgbench -S at 8 clients, direct and through each gateway: the PostgreSQL gateway's ratio, measured beside the MySQL one. */
async function pgComparison(pgbench: string, server: PgTarget, gatehouses: Gatehouse[], seconds: number): Promise<PgResults> {
  const threads = Math.max(1, availableParallelism());
  const results = new PgResults();
  const direct = { ...server, database: PG_BENCH_DATABASE };
  progress(`PostgreSQL comparison: warm-up, pgbench -S, 8 clients, direct, ${Math.min(3, seconds)} s (not reported)`);
  await runPgbench(pgbench, direct, { script: 'select-only', clients: 8, seconds: Math.min(3, seconds), threads });
  for (const [name, target] of [['direct', direct], ...gatehouses.map((g) => [g.mode, g.pg!] as const)] as const) {
    progress(`PostgreSQL comparison: pgbench -S, 8 clients, ${name}: ${seconds} s`);
    const result = await runPgbench(pgbench, target, { script: 'select-only', clients: 8, seconds, threads });
    progress(`  ${Math.round(result.tps).toLocaleString('en-US')} tps, ${result.latencyMs} ms`);
    results.add({ script: 'select-only', clients: 8, target: name, result });
  }
  return results;
}

export async function mysqlBench(args: string[]): Promise<void> {
  const began = performance.now();
  const options = parseMysqlBenchArgs(args);
  const bin = findMysqlClient();
  if (!bin) throw new BenchError(`the MariaDB command-line client (mariadb or mysql) is not on PATH; every column needs it (install: ${INSTALL_MYSQL_CLIENT})`);
  const server = benchMysqlServer();
  const notes: string[] = [];
  const noGateway = gatewayMissing('mysql');
  if (noGateway) notes.push(`Gatehouse columns skipped: ${noGateway}`);
  let pgbench = options.pg && !noGateway ? findPgbench() : undefined;
  if (options.pg && !noGateway && !pgbench) notes.push('PostgreSQL comparison skipped: pgbench is not on PATH (install: apt-get install postgresql-client)');
  if (!options.pg) notes.push('PostgreSQL comparison skipped (--no-pg): the target is not checked');
  const pgServer = benchPgServer();
  for (const note of notes) progress(`NOTE: ${note}`);

  await ensureBenchTable(server);
  if (pgbench) {
    try {
      await ensureBenchDatabase(pgbench, pgServer);
    } catch (error) {
      const note = `PostgreSQL comparison skipped: ${(error as Error).message.split('\n')[0]}`;
      notes.push(note);
      progress(`NOTE: ${note}`);
      pgbench = undefined;
    }
  }
  const dirs: string[] = [];
  const gateways: RunningGateway[] = [];
  const results = new Results();
  let pgResults: PgResults | undefined;
  const ledger: { mode: AuditMode; tally: LedgerTally; check: TargetCheck }[] = [];
  const scripts = mkdtempSync(join(tmpdir(), 'gatehouse-bench-mysql-scripts-'));
  dirs.push(scripts);
  let gate: StartGate | undefined;
  try {
    gate = await StartGate.open(server);
    const run: Run = { bin, seconds: options.seconds, scripts, seed: 0, gate, targets: new Map([['direct', { target: { ...server, database: BENCH_DATABASE } }]]) };
    const gatehouses: Gatehouse[] = [];
    if (!noGateway) {
      for (const mode of ['strict', 'async'] as const) {
        const gatehouse = await startGatehouse(mode, server, pgbench ? pgServer : undefined, dirs, gateways);
        await expectDenied(run, gatehouse);
        gatehouses.push(gatehouse);
        run.targets.set(mode, { target: gatehouse.mysql, gatehouse });
      }
    }

    // First: pgbench -S leaves nothing behind, while after the read-write cells MariaDB seems to
    // have work left in the background (purge, page flushing) that slows PostgreSQL on the same cores.
    if (pgbench) pgResults = await pgComparison(pgbench, pgServer, gatehouses, options.seconds);

    const total = WORKLOADS.length * CLIENTS.length * run.targets.size;
    let done = 0;
    for (const workload of WORKLOADS) {
      for (const clients of CLIENTS) {
        for (const target of run.targets.keys()) {
          progress(`[${++done}/${total}] ${workload}, ${clients} client${clients > 1 ? 's' : ''}, ${target}: ~${options.seconds} s after a probe`);
          const result = await measureCell(run, workload, clients, target);
          progress(`  ${Math.round(result.tps).toLocaleString('en-US')} tps (${Math.round(result.statementsPerSecond).toLocaleString('en-US')} statements/s) over ${result.seconds} s, ${result.latencyMs} ms`);
          results.add({ script: workload, clients, target, result });
        }
      }
    }
    // Stopped first: the last outcomes are written and the final checkpoint signed on the way out.
    await Promise.all(gatehouses.map((g) => g.gateway.stop()));
    for (const g of gatehouses) {
      progress(`reading the ledger of gatehouse (${g.mode})`);
      const tally = await readLedgerTally(g.dataDir, MYSQL_CONNECTION, 'mysql');
      ledger.push({ mode: g.mode, tally, check: checkLedger(g.mode, tally, g.sent, g.denials) });
    }
  } finally {
    await gate?.end().catch(() => undefined);
    await Promise.allSettled(gateways.map((g) => g.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  for (const workload of WORKLOADS) {
    printTable(
      `MariaDB, ${WORKLOAD[workload].title}; ~${options.seconds} s per cell (tps = transactions/s; ms = average latency of a transaction)`,
      workloadRows(results, workload),
    );
  }
  if (pgResults) printTable(`PostgreSQL on the same gateways, pgbench -S, ${options.seconds} s (the target's yardstick)`, cellRows(pgResults, 'select-only', [8], COLUMNS));
  const checks = [...checkTargets(results, pgResults), ...ledger.map((l) => l.check)];
  printTargets(checks);
  for (const note of notes) process.stdout.write(`NOTE: ${note}\n`);
  const elapsed = Math.round((performance.now() - began) / 1000);
  progress(`bench mysql took ${elapsed} s`);
  process.stdout.write(
    `json: ${JSON.stringify({
      suite: 'mysql',
      seconds: options.seconds,
      client: bin,
      cells: results.cells.map((c) => ({ workload: c.script, target: c.target, ...c.result })),
      pg: pgResults ? pgResults.cells.map((c) => ({ script: c.script, target: c.target, ...c.result })) : null,
      ledger: ledger.map((l) => ({ mode: l.mode, ...l.tally })),
      targets: checks,
      notes,
      elapsed_s: elapsed,
    })}\n`,
  );
  if (ledger.some((l) => !l.check.met)) throw new BenchError('a gateway\'s ledger does not hold every statement the bench sent through it (see Targets)');
}
