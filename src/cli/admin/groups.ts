import { Command } from 'commander';
import type { Group, Membership } from '../../identity/model.js';
import { action } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { printFields, printJson, printTable, when } from '../table.js';
import { defined, example, nothingToChange, withApi, type OutputFlags } from './common.js';

type GroupView = Group & { members?: Membership[] };

function printGroup(g: GroupView): void {
  printFields([
    ['name', g.name],
    ['id', g.id],
    ['description', g.description],
    ['owner', g.owner],
    ['created', g.created_at],
    ['updated', g.updated_at],
  ]);
  if (!g.members) return;
  process.stdout.write('\n');
  printTable(
    'members',
    ['member', 'expires', 'counts', 'since'],
    g.members.map((m) => [m.principal, when(m.expires_at), m.active ? 'yes' : 'no (expired)', when(m.created_at)]),
  );
}

const show = (flags: OutputFlags, g: GroupView) => (flags.json ? printJson(g) : printGroup(g));

interface CreateFlags extends OutputFlags {
  description: string;
  owner?: string;
}

interface UpdateFlags extends OutputFlags {
  description?: string;
  /** false with --no-owner. */
  owner?: string | false;
}

interface MemberFlags extends OutputFlags {
  expiresAt?: string;
}

/** `gatehouse groups …`: groups by function, and their members. */
export function groupsCommand(): Command {
  const groups = new Command('groups').description('manage groups and their members (grants are given to groups)');

  groups.addCommand(
    withApi(new Command('list').description('list groups (members see only their own)')).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<Group[]>('/groups');
        if (flags.json) return printJson(list);
        printTable('groups', ['name', 'owner', 'description'], list.map((g) => [g.name, g.owner, g.description]));
      }),
    ),
  );

  groups.addCommand(
    withApi(new Command('show').description('show a group and its members').argument('<name>', 'group name')).action(
      action(async (name: string, flags: OutputFlags) => {
        show(flags, await ApiClient.from(flags).get<GroupView>(`/groups/${seg(name)}`));
      }),
    ),
  );

  groups.addCommand(
    example(
      withApi(
        new Command('create')
          .description('create a group')
          .argument('<name>', 'group name: 1–63 of a-z 0-9 . _ -')
          .requiredOption('--description <text>', 'what function the group serves (required)')
          .option('--owner <user>', 'the user accountable for the group (who reviews its members)'),
      ),
      'gatehouse groups create analysts --description "read the sales data" --owner alice',
    ).action(
      action(async (name: string, flags: CreateFlags) => {
        const client = ApiClient.from(flags);
        show(flags, await client.post<GroupView>('/groups', defined({ name, description: flags.description, owner: flags.owner })));
      }),
    ),
  );

  groups.addCommand(
    example(
      withApi(
        new Command('update')
          .description("change a group's description or owner")
          .argument('<name>', 'group name')
          .option('--description <text>', 'new description')
          .option('--owner <user>', 'new owner')
          .option('--no-owner', 'remove the owner'),
      ),
      'gatehouse groups update analysts --owner bob',
    ).action(
      action(async (name: string, flags: UpdateFlags) => {
        const client = ApiClient.from(flags);
        const body = defined({ description: flags.description, owner: flags.owner === false ? null : flags.owner });
        nothingToChange(body, '--description, --owner, --no-owner');
        show(flags, await client.patch<GroupView>(`/groups/${seg(name)}`, body));
      }),
    ),
  );

  groups.addCommand(
    withApi(new Command('delete').description('delete a group (its memberships and grants go with it)').argument('<name>', 'group name'), {
      json: false,
    }).action(
      action(async (name: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/groups/${seg(name)}`);
        process.stdout.write(`deleted group ${name}\n`);
      }),
    ),
  );

  groups.addCommand(
    example(
      withApi(
        new Command('add-member')
          .description('add a user or service account to a group')
          .argument('<group>', 'group name')
          .argument('<user>', 'user or service account name')
          .option('--expires-at <time>', 'the membership stops counting at this RFC 3339 time'),
      ),
      'gatehouse groups add-member analysts alice --expires-at 2026-07-01T00:00:00Z',
    ).action(
      action(async (group: string, user: string, flags: MemberFlags) => {
        const client = ApiClient.from(flags);
        const m = await client.post<Membership>(`/groups/${seg(group)}/members`, defined({ principal: user, expires_at: flags.expiresAt }));
        if (flags.json) return printJson(m);
        process.stdout.write(`added ${m.principal} to ${m.group}${m.expires_at ? ` until ${m.expires_at}` : ''}\n`);
      }),
    ),
  );

  groups.addCommand(
    withApi(
      new Command('remove-member')
        .description('remove a user or service account from a group')
        .argument('<group>', 'group name')
        .argument('<user>', 'user or service account name'),
      { json: false },
    ).action(
      action(async (group: string, user: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/groups/${seg(group)}/members/${seg(user)}`);
        process.stdout.write(`removed ${user} from ${group}\n`);
      }),
    ),
  );
  return groups;
}
