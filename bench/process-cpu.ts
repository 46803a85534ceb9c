import { readdirSync, readFileSync } from 'node:fs';
import { BenchError } from './errors.js';
import { readProc } from './proc.js';

/**
 * The clock ticks /proc counts CPU time in (USER_HZ). It is 100 on Linux whatever the kernel's
 * own tick rate: it is part of the /proc ABI (proc(5), "Units of USER_HZ"; sysconf(_SC_CLK_TCK)).
 */
const USER_HZ = 100;

/** The fields of /proc/<pid>/stat the bench reads, proc(5); times in USER_HZ ticks. */
interface ProcStat {
  ppid: number;
  /** This process's own time, all its threads: utime + stime (fields 14 and 15). */
  own: number;
  /** The time of its children it has waited for (reaped): cutime + cstime (fields 16 and 17). */
  reaped: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold spaces,
 * so fields are counted from the last ')': field 3 (state) is fields[0], ppid (4) is [1],
 * utime, stime, cutime and cstime (14–17) are [11]–[14].
 */
function parseStat(pid: number | string, stat: string): ProcStat {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [ppid, utime, stime, cutime, cstime] = [1, 11, 12, 13, 14].map((i) => Number(fields[i]));
  if (![ppid, utime, stime, cutime, cstime].every(Number.isFinite)) throw new BenchError(`/proc/${pid}/stat has no ppid, utime, stime, cutime and cstime fields`);
  return { ppid: ppid!, own: utime! + stime!, reaped: cutime! + cstime! };
}

const micros = (ticks: number) => (ticks * 1e6) / USER_HZ;

/** A process's CPU time so far, user and kernel, in microseconds (all its threads). */
export function processCpuMicros(pid: number): number {
  return micros(parseStat(pid, readProc(`${pid}/stat`)).own);
}

/**
 * The CPU time so far of a process's main thread alone, in microseconds: /proc/<pid>/task/<tid>/stat
 * counts one thread, and a process's main thread has its pid as its tid (proc(5)). For Node that
 * is the event loop, apart from worker threads (the gateway's ledger writer), the garbage
 * collector's helpers and libuv's pool.
 */
export function mainThreadCpuMicros(pid: number): number {
  return micros(parseStat(pid, readProc(`${pid}/task/${pid}/stat`)).own);
}

/**
 * The CPU time so far of the children a process has waited for, in microseconds: what pgbench
 * spent, read from the bench's own process after pgbench exits (the only child it reaps during
 * a cell).
 */
export function reapedChildrenCpuMicros(pid: number): number {
  return micros(parseStat(pid, readProc(`${pid}/stat`)).reaped);
}

/**
 * The CPU time so far of a process and every process below it, in microseconds: each one's
 * own time and the time of the children it reaped. A PostgreSQL server is its postmaster and
 * a backend per connection; a backend that ends is reaped by the postmaster, so its time
 * moves into the postmaster's cutime and is still counted. One pass over /proc; a process
 * that ends during the pass may be missed or, rarely, counted twice (a few ticks either way).
 */
export function processTreeCpuMicros(rootPid: number): number {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // it ended since the listing
    }
    stats.set(Number(name), parseStat(name, text));
  }
  if (!stats.has(rootPid)) throw new BenchError(`cannot read /proc/${rootPid}/stat: no such process`);
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  let ticks = 0;
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const stat = stats.get(pid)!;
    ticks += stat.own + stat.reaped;
    pending.push(...(children.get(pid) ?? []));
  }
  return micros(ticks);
}

/** CPU per transaction (µs) of the process `pid` while `run` ran, all threads and its main thread alone, and `run`'s result. */
export async function withProcessCpu<R extends { transactions: number }>(
  pid: number,
  run: () => Promise<R>,
): Promise<R & { proxyCpuUs: number; proxyMainCpuUs: number }> {
  const [before, mainBefore] = [processCpuMicros(pid), mainThreadCpuMicros(pid)];
  const result = await run();
  const [spent, mainSpent] = [processCpuMicros(pid) - before, mainThreadCpuMicros(pid) - mainBefore];
  const each = (us: number) => (result.transactions > 0 ? us / result.transactions : Number.NaN);
  return { ...result, proxyCpuUs: each(spent), proxyMainCpuUs: each(mainSpent) };
}

/** How long the backends that end with a run are given to be reaped by their postmaster before its tree is read. */
const REAP_WAIT_MS = 250;

/**
 * CPU per transaction (µs) while `run` ran of the PostgreSQL server (the process tree under its
 * postmaster, `serverPid`; left out when undefined) and of pgbench (this process's reaped
 * children: `run` is one pgbench run), and `run`'s result.
 */
export async function withServerAndClientCpu<R extends { transactions: number }>(
  serverPid: number | undefined,
  run: () => Promise<R>,
): Promise<R & { serverCpuUs?: number; clientCpuUs: number }> {
  const server = () => (serverPid === undefined ? 0 : processTreeCpuMicros(serverPid));
  const [serverBefore, clientBefore] = [server(), reapedChildrenCpuMicros(process.pid)];
  const result = await run();
  // The run's backends end as pgbench disconnects, at the run's end. Read at once, the tree
  // could catch one being reaped and count it twice (its own line and the postmaster's cutime)
  // or not at all: at 1 client, nearly all the server's time. Once reaped, it is in the
  // postmaster's cutime for good.
  if (serverPid !== undefined) await new Promise((resolve) => setTimeout(resolve, REAP_WAIT_MS));
  const [serverSpent, clientSpent] = [server() - serverBefore, reapedChildrenCpuMicros(process.pid) - clientBefore];
  const each = (us: number) => (result.transactions > 0 ? us / result.transactions : Number.NaN);
  return { ...result, ...(serverPid === undefined ? {} : { serverCpuUs: each(serverSpent) }), clientCpuUs: each(clientSpent) };
}

/**
 * The machine's CPU time so far, in USER_HZ ticks summed over all cores: the first line of
 * /proc/stat, proc(5). Idle counts iowait too (a core waiting on the disk runs nothing).
 */
export function machineCpuTicks(): { idle: number; total: number } {
  const line = readProc('stat').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  if (!line.startsWith('cpu ') || ticks.length < 5 || ticks.some((t) => !Number.isFinite(t))) throw new BenchError('/proc/stat does not start with a "cpu" line of tick counts');
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: ticks[3]! + ticks[4]!, total };
}

/** The share of the machine's CPU time that was idle while `run` ran (0–1), and `run`'s result. */
export async function withMachineIdle<R>(run: () => Promise<R>): Promise<R & { idleShare: number }> {
  const before = machineCpuTicks();
  const result = await run();
  const after = machineCpuTicks();
  const total = after.total - before.total;
  return { ...result, idleShare: total > 0 ? (after.idle - before.idle) / total : Number.NaN };
}
