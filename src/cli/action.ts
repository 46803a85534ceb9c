import { isStoreUnavailable } from '../store/errors.js';

/** An error meant for the operator: printed as is, without a stack. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Runs a command's action, printing failures as one clear line and setting the exit code. */
export function action<A extends unknown[]>(run: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await run(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      const e = error as Error & { exitCode?: number };
      // A driver's own error for a full disk or a database that is down ("disk I/O error") gets
      // said what it means and what to do; our own errors name their context already.
      const driverWords = typeof (e as { code?: unknown }).code === 'string' && isStoreUnavailable(e);
      const message = driverWords ? `the store is unavailable: ${e.message} (free some space or start the database, then try again)` : e.message;
      process.stderr.write(`gatehouse: ${message}\n`);
      if (process.env.GATEHOUSE_DEBUG) process.stderr.write(`${e.stack}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : 2;
    }
  };
}
