import { Command } from 'commander';
import type { SessionInfo } from '../../gateway/engine.js';
import { action } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { printFields, printJson, printTable, when } from '../table.js';
import { example, withApi, type OutputFlags } from './common.js';

interface TerminateFlags extends OutputFlags {
  reason?: string;
}

/** HOST:PORT as a client would type it: an IPv6 address in brackets. */
export function clientAddress(client: SessionInfo['client']): string {
  return client.address.includes(':') ? `[${client.address}]:${client.port}` : `${client.address}:${client.port}`;
}

/** `gatehouse sessions …`: the live sessions of the server's gateways. */
export function sessionsCommand(): Command {
  const sessions = new Command('sessions').description('list and end the live database sessions at the gateways');

  sessions.addCommand(
    withApi(new Command('list').description('list live sessions, oldest first (members see only their own)')).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<SessionInfo[]>('/sessions');
        if (flags.json) return printJson(list);
        printTable(
          'live sessions',
          ['id', 'user', 'connection', 'client', 'application', 'state', 'started', 'statements', 'denied'],
          list.map((s) => [
            s.id,
            s.principal.name,
            s.connection.name,
            clientAddress(s.client),
            s.application,
            s.state,
            when(s.started_at),
            s.statements,
            s.denied,
          ]),
        );
      }),
    ),
  );

  sessions.addCommand(
    withApi(new Command('show').description('show one live session').argument('<id>', 'session id (from sessions list)')).action(
      action(async (id: string, flags: OutputFlags) => {
        const s = await ApiClient.from(flags).get<SessionInfo>(`/sessions/${seg(id)}`);
        if (flags.json) return printJson(s);
        printFields([
          ['id', s.id],
          ['engine', s.engine],
          ['user', `${s.principal.name} (${s.principal.kind === 'human' ? 'user' : 'service account'})`],
          ['connection', s.connection.name],
          ['client', clientAddress(s.client)],
          ['application', s.application],
          ['tls', s.tls ? 'yes' : 'no'],
          ['state', s.state],
          ['started', s.started_at],
          ['last activity', s.last_activity_at],
          ['statements', s.statements],
          ['denied', s.denied],
        ]);
      }),
    ),
  );

  sessions.addCommand(
    example(
      withApi(
        new Command('terminate')
          .alias('kill')
          .description('end a live session now: its client gets an error naming the reason, both connections close (admins only; recorded in the ledger)')
          .argument('<id>', 'session id (from sessions list)')
          .option('--reason <text>', 'what the client is told (default: the session was terminated by an administrator)'),
      ),
      'gatehouse sessions terminate ses_8f2c01d4a9b3e7f60a1c --reason "maintenance: reconnect after 10:00 UTC"',
    ).action(
      action(async (id: string, flags: TerminateFlags) => {
        const client = ApiClient.from(flags);
        const s = await client.request<SessionInfo>('DELETE', `/sessions/${seg(id)}`, { query: { reason: flags.reason } });
        if (flags.json) return printJson(s);
        process.stdout.write(`terminated session ${s.id} (${s.principal.name} on ${s.connection.name}, from ${clientAddress(s.client)})\n`);
      }),
    ),
  );
  return sessions;
}
