import { readFileSync } from 'node:fs';
import { BenchError } from './errors.js';

/** The text of /proc/<path> (Linux), e.g. `1234/status` or `stat`; a clear error naming it when it cannot be read. */
export function readProc(path: string): string {
  try {
    return readFileSync(`/proc/${path}`, 'utf8');
  } catch (error) {
    throw new BenchError(`cannot read /proc/${path} (Linux only): ${(error as Error).message}`);
  }
}
