import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError } from './errors.js';
import { adminApi, gatewayMissing, initDataDir, setupBenchPolicy, startGateway, type AuditMode, type RunningGateway, type UpstreamSpec } from './gatehouse.js';
import { closeAll, openIdleSessions, readRssKib } from './idle-rss.js';
import {
  addedLatencyMs,
  asyncBudgetLine,
  checkTargets,
  CLIENTS,
  cpuRows,
  ledgerRows,
  strictCycleLine,
  megabytes,
  micros,
  Results,
  SCRIPT_TITLE,
  SCRIPTS,
  scriptRows,
  yardstickLine,
  type IdleRss,
  type PgCellResult,
  type TargetName,
} from './pg-report.js';
import { startFramingRelay } from './framing-relay.js';
import { BENCH_DATABASE, benchPgServer, ensureBenchDatabase, findPgbench, resetTables, runPgbench, type PgTarget } from './pgbench.js';
import { findPgbouncer, INSTALL_PGBOUNCER, startPgbouncer, type RunningPgbouncer } from './pgbouncer.js';
import { printTargets } from './results.js';
import { printTable } from './table.js';
import { freePort, progress } from './tools.js';
import { withMachineIdle, withProcessCpu, withServerAndClientCpu } from './process-cpu.js';
import { findPostmaster } from './postmaster.js';
import { withLedgerCommits } from './ledger-commits.js';
import type { CommitStats } from '../src/ledger/index.js';

const IDLE_SESSIONS = 1000;
/** Connection names in the gateway: straight to PostgreSQL, and through PgBouncer in transaction mode. */
const DIRECT_CONNECTION = 'bench';
const POOLED_CONNECTION = 'bench-pool';

/** Everything started for the run, so that one finally can stop it all. */
interface Started {
  pgbouncers: RunningPgbouncer[];
  gateways: RunningGateway[];
  dirs: string[];
}

async function stopAll(started: Started): Promise<void> {
  await Promise.allSettled([...started.gateways.map((g) => g.stop()), ...started.pgbouncers.map((p) => p.stop())]);
  for (const dir of started.dirs) rmSync(dir, { recursive: true, force: true });
}

/** A fresh data directory with the bench user and its grants; returns the login for the gateway. */
async function prepareGateway(started: Started, mode: AuditMode, server: PgTarget, pooled: RunningPgbouncer | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), `gatehouse-bench-${mode}-`));
  started.dirs.push(dataDir);
  const token = initDataDir(dataDir);
  const gateway = await startGateway(dataDir, mode, { postgres: await freePort() });
  started.gateways.push(gateway);
  const upstreams: UpstreamSpec[] = [{ name: DIRECT_CONNECTION, engine: 'postgres', host: server.host, port: server.port, database: BENCH_DATABASE, username: server.user }];
  if (pooled) upstreams.push({ name: POOLED_CONNECTION, engine: 'postgres', host: pooled.host, port: pooled.port, database: BENCH_DATABASE, username: server.user });
  const login = await setupBenchPolicy(gateway.apiUrl, token, upstreams);
  const api = adminApi(gateway.apiUrl, token);
  const commitStats = () => api<CommitStats>('GET', '/ledger/commits');
  return { dataDir, gateway, login, commitStats };
}

/**
 * RSS of a freshly started gateway (strict) before and after `IDLE_SESSIONS` client sessions
 * are opened through it and left idle. Its upstream is PgBouncer in transaction mode: each
 * gateway session holds an upstream connection, and PostgreSQL allows far fewer than 1,000.
 */
async function measureIdleRss(started: Started, dataDir: string, login: { user: string; password: string }): Promise<IdleRss> {
  const gateway = await startGateway(dataDir, 'strict', { postgres: await freePort() });
  started.gateways.push(gateway);
  await new Promise((r) => setTimeout(r, 1000));
  const beforeKib = readRssKib(gateway.pid);
  progress(`idle sessions: gateway RSS ${megabytes(beforeKib)} MB before; opening ${IDLE_SESSIONS}`);
  const target: PgTarget = { ...gateway.listeners.postgres!, database: POOLED_CONNECTION, ...login };
  const clients = await openIdleSessions(target, IDLE_SESSIONS, 16, (n) => progress(`  ${n} open`));
  try {
    // Let whatever a login leaves behind settle (timers, buffers) before reading.
    await new Promise((r) => setTimeout(r, 2000));
    const afterKib = readRssKib(gateway.pid);
    progress(`idle sessions: gateway RSS ${megabytes(afterKib)} MB with ${clients.length} open`);
    return { sessions: clients.length, beforeKib, afterKib };
  } finally {
    await closeAll(clients);
    await gateway.stop();
  }
}

export async function pgBench(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const seconds = quick ? 3 : 10;
  const threads = Math.max(1, availableParallelism());
  const pgbench = findPgbench();
  if (!pgbench) throw new BenchError('pgbench is not on PATH; every column needs it (install: apt-get install postgresql-client)');
  const server = benchPgServer();
  const notes: string[] = [];
  const pgbouncerBin = findPgbouncer();
  if (!pgbouncerBin) notes.push(`PgBouncer column skipped: pgbouncer not found (install: ${INSTALL_PGBOUNCER})`);
  const noGateway = gatewayMissing();
  if (noGateway) notes.push(`Gatehouse columns skipped: ${noGateway}`);
  if (!noGateway && !pgbouncerBin) notes.push('idle-session RSS skipped: it needs PgBouncer (transaction mode) as the gateway\'s upstream');
  for (const note of notes) progress(`NOTE: ${note}`);

  await ensureBenchDatabase(pgbench, server);
  const postmaster = await findPostmaster(server);
  const serverPid = 'pid' in postmaster ? postmaster.pid : undefined;
  if ('why' in postmaster) {
    notes.push(`PostgreSQL CPU per transaction not measured: ${postmaster.why}`);
    progress(`NOTE: ${notes[notes.length - 1]}`);
  }
  const started: Started = { pgbouncers: [], gateways: [], dirs: [] };
  const results = new Results();
  let rss: IdleRss | undefined;
  let yardstick: PgCellResult | undefined;
  try {
    const targets = new Map<TargetName, PgTarget>([['direct', { ...server, database: BENCH_DATABASE }]]);
    // The proxies' processes, whose CPU time each cell reads (direct has none of its own).
    const pids = new Map<TargetName, number>();
    // The gateways' ledger commit statistics, read before and after each of their cells.
    const ledgers = new Map<TargetName, () => Promise<CommitStats>>();
    let pooled: RunningPgbouncer | undefined;
    if (pgbouncerBin) {
      const common = {
        listenHost: '127.0.0.1',
        serverHost: server.host,
        serverPort: server.port,
        alias: BENCH_DATABASE,
        database: BENCH_DATABASE,
        serverUser: server.user,
        maxClientConn: 2000,
        users: [server.user],
      };
      const session = await startPgbouncer(pgbouncerBin, { ...common, poolMode: 'session', defaultPoolSize: 40 });
      started.pgbouncers.push(session);
      targets.set('pgbouncer', { host: session.host, port: session.port, user: server.user, database: BENCH_DATABASE });
      pids.set('pgbouncer', session.pid);
      if (!noGateway) {
        pooled = await startPgbouncer(pgbouncerBin, { ...common, poolMode: 'transaction', defaultPoolSize: 20 });
        started.pgbouncers.push(pooled);
      }
    }
    let strictDir: string | undefined;
    let strictLogin: { user: string; password: string } | undefined;
    if (!noGateway) {
      for (const mode of ['strict', 'async'] as const) {
        const { dataDir, gateway, login, commitStats } = await prepareGateway(started, mode, server, pooled);
        ledgers.set(mode, commitStats);
        if (mode === 'strict') [strictDir, strictLogin] = [dataDir, login];
        const { host, port } = gateway.listeners.postgres!;
        targets.set(mode, { host, port, database: DIRECT_CONNECTION, ...login });
        pids.set(mode, gateway.pid);
        progress(`gatehouse (${mode}) on ${host}:${port}, pid ${gateway.pid}`);
      }
    }

    // Warm the caches once, so the first cell is not the one that reads the table from disk.
    progress(`warm-up: pgbench -S, 8 clients, ${quick ? 1 : 3} s, direct (not reported)`);
    await runPgbench(pgbench, targets.get('direct')!, { script: 'select-only', clients: 8, seconds: quick ? 1 : 3, threads });

    const total = SCRIPTS.length * CLIENTS.length * targets.size;
    let done = 0;
    for (const script of SCRIPTS) {
      for (const clients of CLIENTS) {
        for (const [name, target] of targets) {
          await resetTables(server);
          progress(`[${++done}/${total}] ${script}, ${clients} client${clients > 1 ? 's' : ''}, ${name}: ${seconds} s`);
          const pgbenchRun = () => runPgbench(pgbench, target, { script, clients, seconds, threads });
          const ledger = ledgers.get(name);
          const run = ledger ? () => withLedgerCommits<PgCellResult>(ledger, pgbenchRun) : pgbenchRun;
          const pid = pids.get(name);
          const measured = () => withServerAndClientCpu(serverPid, pid === undefined ? run : () => withProcessCpu(pid, run));
          const result = await withMachineIdle<PgCellResult>(measured);
          const cpu = result.proxyCpuUs === undefined ? '' : `, ${micros(result.proxyCpuUs)} CPU per transaction`;
          const commits = result.ledger && result.ledger.commits > 0 ? `, ${(result.ledger.entries / result.ledger.commits).toFixed(1)} entries per ledger commit` : '';
          progress(`  ${Math.round(result.tps).toLocaleString('en-US')} tps, ${result.latencyMs} ms${cpu}, machine ${Math.round(result.idleShare * 100)} % idle${commits}`);
          results.add({ script, clients, target: name, result });
        }
      }
    }

    if (targets.has('pgbouncer')) {
      // The yardstick: a Node relay that only frames messages, beside the same PgBouncer.
      const relay = await startFramingRelay(server);
      try {
        progress(`yardstick: pgbench -S, 8 clients, through a Node relay that only frames messages: ${seconds} s`);
        // The relay runs in this process, which does nothing else meanwhile but wait for pgbench.
        const relayed = { ...server, host: relay.host, port: relay.port, database: BENCH_DATABASE };
        const relayRun = () => withProcessCpu(process.pid, () => runPgbench(pgbench, relayed, { script: 'select-only', clients: 8, seconds, threads }));
        yardstick = await withMachineIdle(() => withServerAndClientCpu(serverPid, relayRun));
        progress(`  ${Math.round(yardstick.tps).toLocaleString('en-US')} tps, ${micros(yardstick.proxyCpuUs)} CPU per transaction`);
      } finally {
        await relay.close();
      }
    }

    if (pooled && strictDir && strictLogin) {
      // A fresh process, so that the figure is the sessions' cost and not what pgbench left in the heap.
      const strict = started.gateways.find((g) => g.mode === 'strict')!;
      await strict.stop();
      rss = await measureIdleRss(started, strictDir, strictLogin);
    }
  } finally {
    await stopAll(started);
  }

  for (const script of SCRIPTS) printTable(`${SCRIPT_TITLE[script]}, ${seconds} s per cell (tps; strict/pgb = Gatehouse strict ÷ PgBouncer; ms = average latency)`, scriptRows(results, script));
  printTable(
    'CPU time per transaction of each process in the path (user + kernel: /proc/<pid>/stat; proxy: PgBouncer, the gateway or the framing relay, all threads; main thread: the proxy\'s main thread alone, /proc/<pid>/task/<pid>/stat; postgres: the server\'s postmaster and its backends; pgbench: the client) and the machine\'s idle share during each cell (/proc/stat)',
    cpuRows(results, CLIENTS, yardstick),
  );
  printTable(
    'Ledger group commits during each Gatehouse cell (GET /api/v1/ledger/commits; commit: sent to the store → durable; store: the writer thread\'s own time per transaction and the share of the cell it was busy; wait: a statement\'s entry queued → durable, which strict mode waits for before forwarding; p99: bucket bound)',
    ledgerRows(results),
  );
  const added = { strict: addedLatencyMs(results, 'strict'), async: addedLatencyMs(results, 'async') };
  const ms = (v: number | undefined) => (v === undefined ? 'not measured' : `${v >= 0 ? '+' : ''}${v.toFixed(3)} ms`);
  process.stdout.write(`\nAdded latency at 1 client (-S, Gatehouse − direct): strict ${ms(added.strict)}, async ${ms(added.async)}\n`);
  process.stdout.write(
    rss
      ? `Gateway RSS, ${rss.sessions.toLocaleString('en-US')} idle sessions (upstream: PgBouncer, transaction mode): ${megabytes(rss.beforeKib)} MB before, ${megabytes(rss.afterKib)} MB after (${((rss.afterKib - rss.beforeKib) / rss.sessions).toFixed(1)} KiB per session)\n`
      : 'Gateway RSS with idle sessions: not measured\n',
  );
  process.stdout.write(yardstickLine(results, yardstick));
  process.stdout.write(asyncBudgetLine(results, yardstick, availableParallelism()));
  process.stdout.write(strictCycleLine(results));
  const checks = checkTargets(results, rss);
  printTargets(checks);
  for (const note of notes) process.stdout.write(`NOTE: ${note}\n`);
  process.stdout.write(
    `json: ${JSON.stringify({
      suite: 'pg',
      seconds,
      threads,
      cells: results.cells.map((c) => ({ script: c.script, target: c.target, ...c.result })),
      added_latency_ms: added,
      idle_rss: rss ?? null,
      framing_relay: yardstick ? { script: 'select-only', ...yardstick } : null,
      targets: checks,
      notes,
    })}\n`,
  );
}
