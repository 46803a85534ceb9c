import { Command, Option } from 'commander';
import type { Connection } from '../../connections/repo.js';
import { action } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { printFields, printJson, printTable } from '../table.js';
import { defined, example, nothingToChange, port, readSecret, tagOption, withApi, type OutputFlags } from './common.js';

const TLS_MODES = ['disable', 'prefer', 'require', 'verify-full'];

function printConnection(c: Connection): void {
  printFields([
    ['name', c.name],
    ['id', c.id],
    ['engine', c.engine],
    ['address', `${c.host}:${c.port}`],
    ['database', c.database],
    ['username', c.username],
    ['password', c.has_password ? 'set (sealed; never shown)' : 'not set'],
    ['tls mode', c.tls_mode],
    ['tags', c.tags],
    ['created', c.created_at],
    ['updated', c.updated_at],
  ]);
}

const show = (flags: OutputFlags, c: Connection) => (flags.json ? printJson(c) : printConnection(c));

interface ConnectionFlags extends OutputFlags {
  engine?: string;
  host?: string;
  port?: number;
  database?: string;
  username?: string;
  passwordStdin?: boolean;
  tlsMode?: string;
  tag?: Record<string, string>;
  clearTags?: boolean;
}

/** `gatehouse connections …`: the upstream databases people reach through Gatehouse. */
export function connectionsCommand(): Command {
  const connections = new Command('connections').description('manage connections (the upstream databases behind Gatehouse)');

  connections.addCommand(
    withApi(new Command('list').description('list connections')).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<Connection[]>('/connections');
        if (flags.json) return printJson(list);
        printTable(
          'connections',
          ['name', 'engine', 'address', 'database', 'username', 'password', 'tls', 'tags'],
          list.map((c) => [c.name, c.engine, `${c.host}:${c.port}`, c.database, c.username, c.has_password ? 'set' : '-', c.tls_mode, c.tags]),
        );
      }),
    ),
  );

  connections.addCommand(
    withApi(new Command('show').description('show a connection (never its password)').argument('<name>', 'connection name')).action(
      action(async (name: string, flags: OutputFlags) => {
        show(flags, await ApiClient.from(flags).get<Connection>(`/connections/${seg(name)}`));
      }),
    ),
  );

  connections.addCommand(
    example(
      withApi(
        new Command('create')
          .description('create a connection; its password is sealed with the master key and never shown again')
          .argument('<name>', 'connection name: 1–63 of a-z 0-9 . _ - (what clients type to reach it)')
          .addOption(new Option('--engine <engine>', 'database engine').choices(['postgres', 'mysql']).makeOptionMandatory())
          .requiredOption('--host <host>', 'upstream host name or address')
          .addOption(new Option('--port <port>', 'upstream port (default: 5432 for postgres, 3306 for mysql)').argParser(port))
          .requiredOption('--database <name>', 'upstream database')
          .requiredOption('--username <name>', 'the upstream user Gatehouse connects as')
          .option('--password-stdin', "read the upstream user's password from stdin (never give it in argv)")
          .addOption(new Option('--tls-mode <mode>', 'TLS to the upstream').choices(TLS_MODES).default('prefer'))
          .addOption(tagOption('a tag key=value, e.g. env=prod (repeatable); grants and deny rules can select by tag')),
      ),
      "printf '%s' \"$DB_PASSWORD\" | gatehouse connections create sales-prod --engine postgres --host db1.internal \\\n      --database sales --username gatehouse --password-stdin --tls-mode require --tag env=prod --tag team=sales",
    ).action(
      action(async (name: string, flags: ConnectionFlags) => {
        const client = ApiClient.from(flags);
        const body = defined({
          name,
          engine: flags.engine,
          host: flags.host,
          port: flags.port,
          database: flags.database,
          username: flags.username,
          password: flags.passwordStdin ? await readSecret('password') : undefined,
          tls_mode: flags.tlsMode,
          tags: flags.tag,
        });
        show(flags, await client.post<Connection>('/connections', body));
      }),
    ),
  );

  connections.addCommand(
    example(
      withApi(
        new Command('update')
          .description('change a connection (only what is given changes; the engine and name are fixed)')
          .argument('<name>', 'connection name')
          .option('--host <host>', 'new upstream host')
          .addOption(new Option('--port <port>', 'new upstream port').argParser(port))
          .option('--database <name>', 'new upstream database')
          .option('--username <name>', 'new upstream user')
          .option('--password-stdin', 'read a new upstream password from stdin')
          .addOption(new Option('--tls-mode <mode>', 'new TLS mode').choices(TLS_MODES))
          .addOption(tagOption('replaces ALL the tags with the ones given: key=value (repeatable)').conflicts('clearTags'))
          .option('--clear-tags', 'remove every tag'),
      ),
      'gatehouse connections update sales-prod --host db2.internal --tag env=prod --tag team=sales',
      "printf '%s' \"$NEW_PASSWORD\" | gatehouse connections update sales-prod --password-stdin",
    ).action(
      action(async (name: string, flags: ConnectionFlags) => {
        const client = ApiClient.from(flags);
        const body = defined({
          host: flags.host,
          port: flags.port,
          database: flags.database,
          username: flags.username,
          password: flags.passwordStdin ? await readSecret('password') : undefined,
          tls_mode: flags.tlsMode,
          tags: flags.clearTags ? {} : flags.tag,
        });
        nothingToChange(body, '--host, --port, --database, --username, --password-stdin, --tls-mode, --tag, --clear-tags');
        show(flags, await client.patch<Connection>(`/connections/${seg(name)}`, body));
      }),
    ),
  );

  connections.addCommand(
    withApi(new Command('delete').description('delete a connection').argument('<name>', 'connection name'), { json: false }).action(
      action(async (name: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/connections/${seg(name)}`);
        process.stdout.write(`deleted connection ${name}\n`);
      }),
    ),
  );
  return connections;
}
