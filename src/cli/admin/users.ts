import { Command, Option } from 'commander';
import type { Membership, Principal } from '../../identity/model.js';
import { action, CliError } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { printFields, printJson, printTable, when } from '../table.js';
import { defined, example, nothingToChange, readSecret, withApi, type OutputFlags } from './common.js';

type PrincipalView = Principal & { groups?: Membership[] };

const ROLES = ['admin', 'auditor', 'member'];

export function membershipLabel(m: Membership, name: (m: Membership) => string): string {
  return `${name(m)}${m.expires_at ? ` (until ${m.expires_at}${m.active ? '' : ', expired'})` : ''}`;
}

function printPrincipal(p: PrincipalView): void {
  printFields([
    ['name', p.name],
    ['id', p.id],
    ['kind', p.kind],
    ['display name', p.display_name],
    ['email', p.email],
    ['role', p.role],
    ['status', p.status],
    ['expires', p.expires_at],
    ['source', p.source],
    ['created', p.created_at],
    ['updated', p.updated_at],
    ['last login', p.last_login_at],
    ['last activity', p.last_activity_at],
    ...(p.groups ? ([['groups', p.groups.map((m) => membershipLabel(m, (x) => x.group))]] as [string, unknown][]) : []),
  ]);
}

const show = (flags: OutputFlags, p: PrincipalView) => (flags.json ? printJson(p) : printPrincipal(p));

interface ListFlags extends OutputFlags {
  kind?: string;
}

interface CreateFlags extends OutputFlags {
  service?: boolean;
  email?: string;
  displayName?: string;
  role?: string;
  expiresAt?: string;
  passwordStdin?: boolean;
}

interface UpdateFlags extends OutputFlags {
  role?: string;
  disable?: boolean;
  enable?: boolean;
  expiresAt?: string;
  /** false with --no-expiry. */
  expiry?: boolean;
  email?: string;
  displayName?: string;
  passwordStdin?: boolean;
}

/** `gatehouse users …`: people and service accounts. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage users and service accounts (principals)');

  users.addCommand(
    withApi(
      new Command('list')
        .description('list users and service accounts (members see only themselves)')
        .addOption(new Option('--kind <kind>', 'only humans or only service accounts').choices(['human', 'service'])),
    ).action(
      action(async (flags: ListFlags) => {
        const list = await ApiClient.from(flags).get<Principal[]>('/users', { query: { kind: flags.kind } });
        if (flags.json) return printJson(list);
        printTable(
          'users',
          ['name', 'kind', 'role', 'status', 'email', 'expires', 'last login'],
          list.map((p) => [p.name, p.kind, p.role, p.status, p.email, when(p.expires_at), when(p.last_login_at)]),
        );
      }),
    ),
  );

  users.addCommand(
    withApi(new Command('show').description('show a user or service account, with its groups').argument('<name>', 'user name')).action(
      action(async (name: string, flags: OutputFlags) => {
        show(flags, await ApiClient.from(flags).get<PrincipalView>(`/users/${seg(name)}`));
      }),
    ),
  );

  users.addCommand(
    example(
      withApi(
        new Command('create')
          .description('create a user (a person) or, with --service, a service account')
          .argument('<name>', 'user name: 1–63 of a-z 0-9 . _ -, starting with a letter or digit')
          .option('--service', 'a service account (authenticates with tokens; no email, no password)')
          .option('--email <address>', 'email address (humans only)')
          .option('--display-name <text>', 'full name as people read it')
          .addOption(new Option('--role <role>', 'what the principal may do in the admin API').choices(ROLES).default('member'))
          .option('--expires-at <time>', 'the account expires at this RFC 3339 time, e.g. 2026-12-31T23:59:59Z')
          .option('--password-stdin', "read the user's password from stdin, for logging in to the gateways (at least 12 characters; never give it in argv)"),
      ),
      'gatehouse users create alice --email alice@example.com --display-name "Alice Liddell"',
      "printf '%s' \"$PASSWORD\" | gatehouse users create bob --password-stdin --expires-at 2026-12-31T00:00:00Z",
      'gatehouse users create etl --service --role member',
    ).action(
      action(async (name: string, flags: CreateFlags) => {
        const client = ApiClient.from(flags);
        if (flags.service && flags.passwordStdin) throw new CliError('service accounts authenticate with tokens, not passwords; drop --password-stdin');
        const password = flags.passwordStdin ? await readSecret('password') : undefined;
        const body = defined({
          kind: flags.service ? 'service' : 'human',
          name,
          email: flags.email,
          display_name: flags.displayName,
          role: flags.role,
          expires_at: flags.expiresAt,
          password,
        });
        show(flags, await client.post<Principal>('/users', body));
      }),
    ),
  );

  users.addCommand(
    example(
      withApi(
        new Command('update')
          .description('change a user or service account (only what is given changes)')
          .argument('<name>', 'user name')
          .addOption(new Option('--role <role>', 'new role').choices(ROLES))
          .addOption(new Option('--disable', 'disable the account (its tokens and password stop working)').conflicts('enable'))
          .option('--enable', 'enable a disabled account')
          .addOption(new Option('--expires-at <time>', 'new expiry, RFC 3339').conflicts('expiry'))
          .option('--no-expiry', 'remove the expiry')
          .option('--email <address>', 'new email address')
          .option('--display-name <text>', 'new display name')
          .option('--password-stdin', 'read a new password from stdin'),
      ),
      'gatehouse users update alice --role auditor --expires-at 2026-09-30T00:00:00Z',
      'gatehouse users update bob --disable',
    ).action(
      action(async (name: string, flags: UpdateFlags) => {
        const client = ApiClient.from(flags);
        const body = defined({
          role: flags.role,
          status: flags.disable ? 'disabled' : flags.enable ? 'active' : undefined,
          expires_at: flags.expiry === false ? null : flags.expiresAt,
          email: flags.email,
          display_name: flags.displayName,
          password: flags.passwordStdin ? await readSecret('password') : undefined,
        });
        nothingToChange(body, '--role, --disable, --enable, --expires-at, --no-expiry, --email, --display-name, --password-stdin');
        show(flags, await client.patch<Principal>(`/users/${seg(name)}`, body));
      }),
    ),
  );

  users.addCommand(
    withApi(new Command('delete').description('delete a user or service account (its memberships and tokens go with it)').argument('<name>', 'user name'), {
      json: false,
    }).action(
      action(async (name: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/users/${seg(name)}`);
        process.stdout.write(`deleted user ${name}\n`);
      }),
    ),
  );
  return users;
}
