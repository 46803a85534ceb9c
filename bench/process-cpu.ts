import { BenchError } from './errors.js';
import { readProc } from './proc.js';

/**
 * The clock ticks /proc counts CPU time in (USER_HZ). It is 100 on Linux whatever the kernel's
 * own tick rate: it is part of the /proc ABI (proc(5), "Units of USER_HZ"; sysconf(_SC_CLK_TCK)).
 */
const USER_HZ = 100;

/**
 * A process's CPU time so far, user and kernel, in microseconds (all its threads): fields 14
 * and 15 (utime, stime) of /proc/<pid>/stat, proc(5). The command name (field 2) is in
 * parentheses and may hold spaces, so fields are counted from the last ')'.
 */
export function processCpuMicros(pid: number): number {
  const stat = readProc(`${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: field 3 (state) is fields[0], so utime (14) and stime (15) are [11] and [12].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new BenchError(`/proc/${pid}/stat has no utime and stime fields`);
  return ((utime + stime) * 1e6) / USER_HZ;
}

/** CPU per transaction (µs) of the process `pid` while `run` ran, and `run`'s result. */
export async function withProcessCpu<R extends { transactions: number }>(pid: number, run: () => Promise<R>): Promise<R & { proxyCpuUs: number }> {
  const before = processCpuMicros(pid);
  const result = await run();
  const spent = processCpuMicros(pid) - before;
  return { ...result, proxyCpuUs: result.transactions > 0 ? spent / result.transactions : Number.NaN };
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
