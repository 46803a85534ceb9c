import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from './errors.js';

/**
 * Somewhere outside the store that keeps every checkpoint it is given. A rewrite of the
 * whole store — even re-signed with the real key — cannot change what a witness holds.
 */
export interface WitnessSink {
  readonly name: string;
  publish(size: number, note: string): Promise<void>;
}

/** A folder of checkpoints, one file per tree size (`<dir>/<size>`), never overwritten. */
export function folderWitness(dir: string): WitnessSink {
  return {
    name: `folder ${dir}`,
    async publish(size, note) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, String(size));
      if (existsSync(path)) {
        const held = readFileSync(path, 'utf8');
        if (held === note) return;
        // Two different signed trees of one size: a fork. Keep the first, and say so loudly.
        throw new LedgerError(`witness ${path} already holds a different checkpoint for size ${size}: the log forked`);
      }
      const tmp = `${path}.tmp-${process.pid}`;
      writeFileSync(tmp, note, { flush: true });
      renameSync(tmp, path);
    },
  };
}

export interface WitnessedCheckpoint {
  file: string;
  /** The size in the file name, which the note must sign. */
  size: number;
  note: string;
}

/** Every checkpoint in a folder of files named by their decimal size (a witness, or a bundle's checkpoints/). */
export function readWitnessFolder(dir: string): WitnessedCheckpoint[] {
  if (!existsSync(dir)) throw new LedgerError(`witness folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((name) => /^(0|[1-9][0-9]*)$/.test(name))
    .map((name) => ({ file: join(dir, name), size: Number(name), note: readFileSync(join(dir, name), 'utf8') }))
    .sort((a, b) => a.size - b.size);
}
