import { Command, Option } from 'commander';
import type { Grant } from '../../policy/repo.js';
import type { ConnectionSelector } from '../../policy/types.js';
import { action } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { cell, printFields, printJson, printTable, when } from '../table.js';
import { commaList, defined, example, selector, tagOption, withApi, type OutputFlags } from './common.js';

/** "connection sales" or "tags env=prod". */
export function onLabel(on: ConnectionSelector): string {
  return 'connection' in on ? `connection ${cell(on.connection)}` : `tags ${cell(on.tags)}`;
}

function printGrant(g: Grant): void {
  printFields([
    ['id', g.id],
    ['group', g.group],
    ['on', onLabel(g.on)],
    ['privileges', g.privileges],
    ['objects', g.objects],
    ['expires', g.expires_at],
    ['reason', g.reason],
    ['created by', g.created_by],
    ['created', g.created_at],
  ]);
}

interface CreateFlags extends OutputFlags {
  group: string;
  connection?: string;
  tag?: Record<string, string>;
  privileges: string[];
  objects?: string[];
  expiresAt?: string;
  reason?: string;
}

/** `gatehouse grants …`: what a group may do on which connections. */
export function grantsCommand(): Command {
  const grants = new Command('grants').description('manage grants: group → connection(s) → privileges → objects');

  grants.addCommand(
    withApi(new Command('list').description('list grants (members see only those of their groups)')).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<Grant[]>('/grants');
        if (flags.json) return printJson(list);
        printTable(
          'grants',
          ['id', 'group', 'on', 'privileges', 'objects', 'expires', 'reason'],
          list.map((g) => [g.id, g.group, onLabel(g.on), g.privileges, g.objects, when(g.expires_at), g.reason]),
        );
      }),
    ),
  );

  grants.addCommand(
    withApi(new Command('show').description('show a grant').argument('<id>', 'grant id (gnt_…)')).action(
      action(async (id: string, flags: OutputFlags) => {
        const g = await ApiClient.from(flags).get<Grant>(`/grants/${seg(id)}`);
        if (flags.json) return printJson(g);
        printGrant(g);
      }),
    ),
  );

  grants.addCommand(
    example(
      withApi(
        new Command('create')
          .description('grant privileges to a group on one connection, or on every connection with the given tags')
          .requiredOption('--group <group>', 'the group that receives the grant')
          .option('--connection <name>', 'one connection, by name')
          .addOption(tagOption('every connection with this tag key=value (repeatable: all must match)').conflicts('connection'))
          .addOption(new Option('--privileges <list>', 'comma-separated: read, write, ddl, admin').argParser(commaList).makeOptionMandatory())
          .addOption(
            new Option('--objects <globs>', "comma-separated schema.table globs, e.g. 'sales.*,public.orders' (default: all, *.*)").argParser(
              commaList,
            ),
          )
          .option('--expires-at <time>', 'the grant stops counting at this RFC 3339 time')
          .option('--reason <text>', 'why (a ticket, a project): recorded and shown in reviews'),
      ),
      "gatehouse grants create --group analysts --tag env=prod --privileges read --objects 'sales.*' --reason JIRA-123",
      'gatehouse grants create --group etl --connection sales-prod --privileges read,write --expires-at 2026-07-01T00:00:00Z',
    ).action(
      action(async (flags: CreateFlags) => {
        const client = ApiClient.from(flags);
        const body = defined({
          group: flags.group,
          on: selector(flags),
          privileges: flags.privileges,
          objects: flags.objects,
          expires_at: flags.expiresAt,
          reason: flags.reason,
        });
        const g = await client.post<Grant>('/grants', body);
        if (flags.json) return printJson(g);
        printGrant(g);
      }),
    ),
  );

  grants.addCommand(
    withApi(new Command('delete').alias('revoke').description('revoke a grant').argument('<id>', 'grant id (gnt_…)'), { json: false }).action(
      action(async (id: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/grants/${seg(id)}`);
        process.stdout.write(`revoked grant ${id}\n`);
      }),
    ),
  );
  return grants;
}
