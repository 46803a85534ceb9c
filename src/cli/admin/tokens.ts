import { Command } from 'commander';
import type { TokenInfo } from '../../identity/model.js';
import { action } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { printFields, printJson, printTable, when } from '../table.js';
import { defined, example, withApi, type OutputFlags } from './common.js';

interface CreateFlags extends OutputFlags {
  name?: string;
  user?: string;
  expiresAt?: string;
}

/** `gatehouse tokens …`: API tokens (also usable as database passwords). */
export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('manage access tokens (for the API, and as database passwords)');

  tokens.addCommand(
    withApi(new Command('list').description("list tokens (never their secrets; members see only their own)")).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<TokenInfo[]>('/tokens');
        if (flags.json) return printJson(list);
        printTable(
          'tokens',
          ['id', 'user', 'name', 'prefix', 'state', 'created', 'expires', 'last used'],
          list.map((t) => [t.id, t.principal, t.name, t.prefix, t.state, when(t.created_at), when(t.expires_at), when(t.last_used_at)]),
        );
      }),
    ),
  );

  tokens.addCommand(
    example(
      withApi(
        new Command('create')
          .description('create a token and print it once, on a line "token: …" (it cannot be shown again)')
          .option('--name <name>', 'what the token is for, e.g. "ci pipeline" (default: token)')
          .option('--user <name>', 'whose token (default: yours; only admins may make tokens for others)')
          .option('--expires-at <time>', 'the token stops working at this RFC 3339 time'),
      ),
      'gatehouse tokens create --user etl --name nightly-load --expires-at 2026-12-31T00:00:00Z',
    ).action(
      action(async (flags: CreateFlags) => {
        const client = ApiClient.from(flags);
        const t = await client.post<TokenInfo & { token: string }>(
          '/tokens',
          defined({ name: flags.name, principal: flags.user, expires_at: flags.expiresAt }),
        );
        if (flags.json) return printJson(t);
        printFields([
          ['id', t.id],
          ['user', t.principal],
          ['name', t.name],
          ['expires', t.expires_at],
          ['token', t.token],
        ]);
        process.stdout.write('(the token is shown once; keep it secret)\n');
      }),
    ),
  );

  tokens.addCommand(
    withApi(new Command('revoke').alias('delete').description('revoke a token (it stops working at once)').argument('<id>', 'token id (tok_…)')).action(
      action(async (id: string, flags: OutputFlags) => {
        const t = await ApiClient.from(flags).delete<TokenInfo>(`/tokens/${seg(id)}`);
        if (flags.json) return printJson(t);
        process.stdout.write(`revoked token ${t.id} (${t.name}, of ${t.principal})\n`);
      }),
    ),
  );
  return tokens;
}
