import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `gatehouse` CLI as a user would, with stdin. */
export function gatehouse(args: string[], input = '', env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, GATEHOUSE_DATA_DIR: '', GATEHOUSE_DATABASE_URL: '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const jsonLines = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
