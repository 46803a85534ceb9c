import { readFileSync } from 'node:fs';
import { BenchError } from './errors.js';

/** The text of /proc/<pid>/<file> (Linux); a clear error naming it when it cannot be read. */
export function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch (error) {
    throw new BenchError(`cannot read /proc/${pid}/${file} (Linux only): ${(error as Error).message}`);
  }
}
