import type { PgbenchResult } from './pgbench-output.js';
import type { CellCommits } from './ledger-commits.js';
import { cellRows, MISSING, Results as CellResults, times, type Cell as ResultCell, type TargetCheck } from './results.js';

/** The columns of the pgbench tables, in order. */
export const TARGETS = ['direct', 'pgbouncer', 'strict', 'async'] as const;
export type TargetName = (typeof TARGETS)[number];
export const SCRIPTS = ['select-only', 'tpcb-like'] as const;
export type ScriptName = (typeof SCRIPTS)[number];
export const CLIENTS = [1, 8, 32] as const;

const LABEL: Record<TargetName, string> = { direct: 'direct', pgbouncer: 'pgbouncer', strict: 'gh strict', async: 'gh async' };
export const SCRIPT_TITLE: Record<ScriptName, string> = {
  'select-only': 'pgbench -S (select only)',
  'tpcb-like': 'pgbench (TPC-B-like: 3 updates, 1 select, 1 insert per transaction)',
};

/**
 * A pgbench cell's result, with the CPU time per transaction of the proxy process (where there
 * is one; all its threads, and its main thread alone), of the PostgreSQL server and of pgbench,
 * the share of the machine's CPU time that sat idle during the cell, and for a gateway its
 * ledger's group commits during the cell.
 */
export type PgCellResult = PgbenchResult & {
  proxyCpuUs?: number;
  proxyMainCpuUs?: number;
  serverCpuUs?: number;
  clientCpuUs?: number;
  idleShare?: number;
  ledger?: CellCommits;
};

export type Cell = ResultCell<ScriptName, TargetName, PgCellResult>;

/** The measured pgbench cells, looked up by script, clients and target. */
export class Results extends CellResults<ScriptName, TargetName, PgCellResult> {}

/** The targets that are one process in front of PostgreSQL, whose CPU time the bench reads. */
const PROXIES = ['pgbouncer', 'strict', 'async'] as const satisfies readonly TargetName[];

const measured = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
/** CPU per transaction as "21.4 µs" (tenths: /proc counts in 10 ms ticks, over tens of thousands of transactions). */
export const micros = (us: number | undefined) => (measured(us) ? `${us.toFixed(1)} µs` : MISSING);
const percent = (share: number | undefined) => (measured(share) ? `${Math.round(share * 100)} %` : MISSING);

/** CPU per transaction of the whole path of a cell: proxy (if any), server and client; undefined unless each was measured. */
function pathCpuUs(r: PgCellResult, hasProxy = true): number | undefined {
  const parts = [...(hasProxy ? [r.proxyCpuUs] : []), r.serverCpuUs, r.clientCpuUs];
  return parts.every(measured) ? parts.reduce((a, b) => a + b, 0) : undefined;
}

/** The yardstick's label in the tables: the framing relay, measured at -S with 8 clients. */
const RELAY_LABEL = 'framing relay';

/**
 * One row per measured cell (script, client count, target): the CPU time per transaction of
 * each process on the path — the proxy (PgBouncer or the gateway, all its threads, and its main
 * thread alone), the PostgreSQL server (its postmaster and backends) and pgbench — their sum,
 * and the machine's idle share during the cell. On one machine they share the cores, so the
 * sum is what a transaction costs the machine, and a proxy's latency shows in the other two as
 * well: a backend that waits longer for each statement sleeps and is woken once per statement.
 * Idle tells a cell bound by CPU (little idle) from one bound by waiting (strict mode's fsyncs).
 * The gateway's main thread is the part to set beside the framing relay (`relay`, a row of its
 * own after the -S cells at 8 clients), which is one thread that only frames; the gateway's
 * other threads are its ledger writer's SQLite commits and V8's and libuv's helpers.
 */
export function cpuRows(results: Results, clients: readonly number[] = CLIENTS, relay?: PgCellResult): Record<string, string | number>[] {
  const row = (script: ScriptName, n: number, target: string, r: PgCellResult, hasProxy: boolean) => ({
    script,
    clients: n,
    target,
    proxy: hasProxy ? micros(r.proxyCpuUs) : '',
    'main thread': hasProxy ? micros(r.proxyMainCpuUs) : '',
    postgres: micros(r.serverCpuUs),
    pgbench: micros(r.clientCpuUs),
    sum: micros(pathCpuUs(r, hasProxy)),
    idle: percent(r.idleShare),
  });
  return SCRIPTS.flatMap((script) =>
    clients.flatMap((n) => [
      ...TARGETS.flatMap((target) => {
        const r = results.get(script, n, target);
        return r ? [row(script, n, LABEL[target], r, (PROXIES as readonly TargetName[]).includes(target))] : [];
      }),
      ...(relay && script === 'select-only' && n === 8 ? [row(script, n, RELAY_LABEL, relay, true)] : []),
    ]),
  );
}

const MODES = ['strict', 'async'] as const satisfies readonly TargetName[];
const ms = (v: number | undefined) => (measured(v) ? (v < 10 ? v.toFixed(3) : v.toFixed(1)) : MISSING);

/**
 * One row per script, client count and audit mode: the gateway's ledger group commits during
 * the cell (GET /api/v1/ledger/commits before and after). Commit: sent to the store → durable;
 * store: the SQLite writer thread's own time per transaction, and the share of the cell it was
 * busy (near 100 %: the writer is the bound; well below: the commits' latency is); wait: a
 * statement's entry queued → durable, which in strict mode it waits for before it is forwarded
 * (async statements wait for nothing). Rows of cells not measured are left out.
 */
export function ledgerRows(results: Results, clients: readonly number[] = CLIENTS): Record<string, string | number>[] {
  return SCRIPTS.flatMap((script) =>
    clients.flatMap((n) =>
      MODES.flatMap((mode) => {
        const c = results.get(script, n, mode)?.ledger;
        if (!c) return [];
        return [
          {
            script,
            clients: n,
            mode,
            commits: c.commits,
            'entries/commit': c.commits > 0 ? (c.entries / c.commits).toFixed(2) : MISSING,
            'commit ms': ms(c.commitMeanMs),
            'commit p99 ≤ ms': ms(c.commitP99Ms),
            'store ms': ms(c.storeMeanMs),
            'store busy': percent(c.storeBusyShare),
            'wait ms': ms(c.waitMeanMs),
            'wait p99 ≤ ms': ms(c.waitP99Ms),
            failed: c.failed,
          },
        ];
      }),
    ),
  );
}

const COLUMNS = {
  targets: TARGETS.map((t) => [t, LABEL[t]] as const),
  ratios: [
    ['strict', 'direct', 'strict/direct'],
    ['strict', 'pgbouncer', 'strict/pgb'],
    ['async', 'direct', 'async/direct'],
    ['async', 'pgbouncer', 'async/pgb'],
  ],
} as const;

/** One row per client count: TPS per target, the four ratios, average latencies. */
export function scriptRows(results: Results, script: ScriptName, clients: readonly number[] = CLIENTS): Record<string, string | number>[] {
  return cellRows(results, script, clients, COLUMNS);
}

/** Average latency through the gateway minus direct, -S at 1 client (ms); undefined if not measured. */
export function addedLatencyMs(results: Results, mode: 'strict' | 'async'): number | undefined {
  const direct = results.get('select-only', 1, 'direct');
  const via = results.get('select-only', 1, mode);
  return direct && via ? via.latencyMs - direct.latencyMs : undefined;
}

export interface IdleRss {
  sessions: number;
  beforeKib: number;
  afterKib: number;
}

/** RSS in MB (10^6 bytes; /proc reports KiB), one decimal. */
export const megabytes = (kib: number) => Math.round((kib * 1024) / 1e5) / 10;

/**
 * Where a strict client's time goes at 8 clients (-S): pgbench's clients each wait for one
 * statement at a time, so a client's cycle is clients ÷ TPS. Strict's cycle splits into the
 * durable wait the gateway measured (its ledger's mean, queued → durable) and the rest, set
 * beside async's whole cycle and the cycle the strict target needs. Empty unless strict's
 * cell has its ledger figures.
 */
export function strictCycleLine(results: Results, clients = 8): string {
  const strict = results.get('select-only', clients, 'strict');
  const wait = strict?.ledger?.waitMeanMs;
  if (!strict || strict.tps <= 0 || !measured(wait)) return '';
  const cycle = (tps: number | undefined) => (tps && tps > 0 ? (clients / tps) * 1000 : undefined);
  const strictCycle = cycle(strict.tps)!;
  const asyncCycle = cycle(results.get('select-only', clients, 'async')?.tps);
  const pgbouncer = results.get('select-only', clients, 'pgbouncer')?.tps;
  const targetCycle = pgbouncer ? cycle(STRICT_TARGET * pgbouncer) : undefined;
  const f = (v: number | undefined) => (measured(v) ? `${v.toFixed(2)} ms` : 'not measured');
  return (
    `Strict at ${clients} clients (-S): a client's cycle ${f(strictCycle)} = durable wait ${f(wait)} + the rest ${f(strictCycle - wait)}; ` +
    `async's whole cycle ${f(asyncCycle)}; the strict target (${STRICT_TARGET} × PgBouncer) needs a cycle ≤ ${f(targetCycle)}\n`
  );
}

const ASYNC_TARGET = 0.75;
const STRICT_TARGET = 0.5;

/** The targets (8 clients, -S, against PgBouncer; RSS at 1,000 idle sessions). */
export function checkTargets(results: Results, rss: IdleRss | undefined): TargetCheck[] {
  const ratioCheck = (mode: 'strict' | 'async', floor: number): TargetCheck => {
    const ratio = results.ratio('select-only', 8, mode, 'pgbouncer');
    return {
      goal: `${mode} ≥ ${floor} × PgBouncer (-S, 8 clients)`,
      measured: ratio === undefined ? 'not measured' : `${times(ratio)} PgBouncer`,
      met: ratio === undefined ? null : ratio >= floor,
    };
  };
  const rssLimitMb = 200;
  return [
    ratioCheck('async', ASYNC_TARGET),
    ratioCheck('strict', STRICT_TARGET),
    {
      goal: `gateway RSS < ${rssLimitMb} MB with 1,000 idle sessions`,
      measured: rss ? `${megabytes(rss.afterKib)} MB with ${rss.sessions.toLocaleString('en-US')}` : 'not measured',
      met: rss ? rss.afterKib * 1024 < rssLimitMb * 1e6 && rss.sessions >= 1000 : null,
    },
  ];
}


/**
 * The line about the yardstick (a Node relay that only frames messages, -S at 8 clients):
 * its TPS beside PgBouncer's, and the gateway's modes as a share of it. Empty when it was not run.
 */
export function yardstickLine(results: Results, relay: PgCellResult | undefined): string {
  if (!relay) return '';
  const tps = (target: TargetName) => results.get('select-only', 8, target)?.tps;
  const share = (part: number | undefined, whole: number | undefined) => (part === undefined || whole === undefined ? 'not measured' : times(part / whole));
  const cpu = measured(relay.proxyCpuUs) ? ` (${micros(relay.proxyCpuUs)} CPU per transaction)` : '';
  return (
    `Yardstick (-S, 8 clients): a Node relay that only frames each message (the gateway's codec; no policy, no audit): ` +
    `${Math.round(relay.tps).toLocaleString('en-US')} tps${cpu} = ${share(relay.tps, tps('pgbouncer'))} PgBouncer; ` +
    `Gatehouse async = ${share(tps('async'), relay.tps)} of it, strict = ${share(tps('strict'), relay.tps)}\n`
  );
}

/**
 * What the async target leaves for everything the gateway does beyond framing (-S, 8 clients).
 * The processes on the path share the machine's cores, so a cell bound by CPU runs at its busy
 * cores ÷ the CPU per transaction of the whole path (proxy + PostgreSQL + pgbench). At the
 * target's rate, with the machine as busy as in PgBouncer's cell, the whole path may cost
 * busy cores ÷ (ASYNC_TARGET × PgBouncer's TPS). The framing relay's path is what a Node relay
 * costs before it decides or records anything; what the budget leaves above it is all that
 * parsing, deciding and recording a statement may cost, set beside what async's path cost
 * beyond the relay's. Empty unless PgBouncer's and the relay's cells were measured whole.
 */
export function asyncBudgetLine(results: Results, relay: PgCellResult | undefined, cores: number): string {
  const pgbouncer = results.get('select-only', 8, 'pgbouncer');
  const relayPath = relay && pathCpuUs(relay);
  if (!pgbouncer || pgbouncer.tps <= 0 || !measured(pgbouncer.idleShare) || relayPath === undefined) return '';
  const targetTps = ASYNC_TARGET * pgbouncer.tps;
  const budget = ((1 - pgbouncer.idleShare) * cores * 1e6) / targetTps;
  const asyncCell = results.get('select-only', 8, 'async');
  const asyncPath = asyncCell && pathCpuUs(asyncCell);
  const asyncPart =
    asyncPath === undefined
      ? "Gatehouse async's path: not measured"
      : `Gatehouse async's path cost ${micros(asyncPath)}, ${micros(asyncPath - relayPath)} beyond the relay's`;
  return (
    `Async target's CPU budget (-S, 8 clients): ${ASYNC_TARGET} × PgBouncer = ${Math.round(targetTps).toLocaleString('en-US')} tps; ` +
    `with the machine as busy as in PgBouncer's cell (${percent(pgbouncer.idleShare)} idle of ${cores} cores) the whole path may cost ${micros(budget)} per transaction. ` +
    `The framing relay's path cost ${micros(relayPath)} (the relay ${micros(relay!.proxyCpuUs)}), which leaves ${micros(budget - relayPath)} for parsing, deciding and recording a statement; ` +
    `${asyncPart}\n`
  );
}
