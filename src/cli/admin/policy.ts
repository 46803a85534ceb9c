import { Command } from 'commander';
import type { Decision } from '../../policy/types.js';
import { action, CliError } from '../action.js';
import { ApiClient, clean } from '../client.js';
import { printJson } from '../table.js';
import { example, readStdin, withApi, type OutputFlags } from './common.js';

interface CheckFlags extends OutputFlags {
  user: string;
  connection: string;
  sql: string;
}

interface CheckResult {
  decision: Decision;
  statements: unknown;
  explanation: string;
}

/** Exit status of `policy check`: 0 allowed, 1 denied (2, as everywhere, for errors). */
export const DENIED = 1;

/** `gatehouse policy check`: would this statement be allowed, and why. */
export function policyCommand(): Command {
  const policy = new Command('policy').description('ask the policy engine');

  policy.addCommand(
    example(
      withApi(
        new Command('check')
          .description('decide SQL for a user on a connection, as the gateway would, and explain why (exit 0 allowed, 1 denied)')
          .requiredOption('--user <name>', 'the user or service account (members may check only themselves)')
          .requiredOption('--connection <name>', 'the connection')
          .requiredOption('--sql <text>', 'the SQL, one or more statements; "-" reads it from stdin'),
      ),
      'gatehouse policy check --user alice --connection sales-prod --sql "SELECT * FROM sales.orders"',
      'gatehouse policy check --user etl --connection sales-prod --sql - < load.sql',
    ).action(
      action(async (flags: CheckFlags) => {
        const client = ApiClient.from(flags);
        const sql = flags.sql === '-' ? await readStdin() : flags.sql;
        if (sql.trim() === '') throw new CliError('--sql is empty');
        const result = await client.post<CheckResult>('/policy/check', { user: flags.user, connection: flags.connection, sql });
        if (flags.json) printJson(result);
        else process.stdout.write(`${clean(result.explanation)}\n`);
        return result.decision.allow ? 0 : DENIED;
      }),
    ),
  );
  return policy;
}
