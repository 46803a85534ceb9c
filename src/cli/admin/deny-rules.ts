import { Command, Option } from 'commander';
import type { DenyRule } from '../../policy/repo.js';
import type { DenyMatch } from '../../policy/types.js';
import { action, CliError } from '../action.js';
import { ApiClient, seg } from '../client.js';
import { cell, printFields, printJson, printTable } from '../table.js';
import { commaList, example, selector, tagOption, withApi, type OutputFlags } from './common.js';
import { onLabel } from './grants.js';

function matchLabel(match: DenyMatch): string {
  switch (match.kind) {
    case 'no_where':
      return 'update/delete without where';
    case 'drop_truncate':
      return 'drop or truncate';
    case 'classes':
      return `classes ${cell(match.classes)}`;
    case 'flags':
      return `flags ${cell(match.flags)}`;
    default:
      return cell(match);
  }
}

interface CreateFlags extends OutputFlags {
  connection?: string;
  tag?: Record<string, string>;
  /** false with --no-where (commander's negation naming). */
  where?: boolean;
  dropTruncate?: boolean;
  classes?: string[];
  flags?: string[];
  reason?: string;
}

function matchOf(flags: CreateFlags): DenyMatch {
  const given: DenyMatch[] = [];
  if (flags.where === false) given.push({ kind: 'no_where' });
  if (flags.dropTruncate) given.push({ kind: 'drop_truncate' });
  if (flags.classes) given.push({ kind: 'classes', classes: flags.classes } as DenyMatch);
  if (flags.flags) given.push({ kind: 'flags', flags: flags.flags } as DenyMatch);
  if (given.length !== 1) {
    const what = '--no-where, --drop-truncate, --classes LIST, --flags LIST';
    throw new CliError(given.length === 0 ? `say what the rule denies: one of ${what}` : `a deny rule denies one kind of statement: give only one of ${what}`);
  }
  return given[0]!;
}

/** `gatehouse deny-rules …`: guardrails that override grants. */
export function denyRulesCommand(): Command {
  const rules = new Command('deny-rules').description('manage deny rules (guardrails that override every grant)');

  rules.addCommand(
    withApi(new Command('list').description('list deny rules')).action(
      action(async (flags: OutputFlags) => {
        const list = await ApiClient.from(flags).get<DenyRule[]>('/deny-rules');
        if (flags.json) return printJson(list);
        printTable('deny rules', ['name', 'on', 'denies', 'reason'], list.map((r) => [r.name, onLabel(r.on), matchLabel(r.match), r.reason]));
      }),
    ),
  );

  const print = (flags: OutputFlags, r: DenyRule) =>
    flags.json
      ? printJson(r)
      : printFields([
          ['name', r.name],
          ['id', r.id],
          ['on', onLabel(r.on)],
          ['denies', matchLabel(r.match)],
          ['reason', r.reason],
          ['created by', r.created_by],
          ['created', r.created_at],
        ]);

  rules.addCommand(
    withApi(new Command('show').description('show a deny rule').argument('<name>', 'deny rule name')).action(
      action(async (name: string, flags: OutputFlags) => {
        print(flags, await ApiClient.from(flags).get<DenyRule>(`/deny-rules/${seg(name)}`));
      }),
    ),
  );

  rules.addCommand(
    example(
      withApi(
        new Command('create')
          .description('create a deny rule on one connection, or on every connection with the given tags')
          .argument('<name>', 'rule name: 1–63 of a-z 0-9 . _ -')
          .option('--connection <name>', 'one connection, by name')
          .addOption(tagOption('every connection with this tag key=value (repeatable: all must match)').conflicts('connection'))
          .option('--no-where', 'deny UPDATE and DELETE without a WHERE clause')
          .option('--drop-truncate', 'deny DROP and TRUNCATE')
          .addOption(
            new Option('--classes <list>', 'deny statements of these classes: read, write, ddl, admin, transaction, session, utility').argParser(
              commaList,
            ),
          )
          .addOption(
            new Option(
              '--flags <list>',
              'deny statements with these flags, e.g. copy_program, copy_file, dynamic_code, role_change, side_effect_function',
            ).argParser(commaList),
          )
          .option('--reason <text>', 'shown to the client that is denied, and recorded'),
      ),
      'gatehouse deny-rules create prod-no-where --tag env=prod --no-where --reason "add a WHERE clause"',
      'gatehouse deny-rules create prod-no-ddl --tag env=prod --classes ddl,admin',
    ).action(
      action(async (name: string, flags: CreateFlags) => {
        const client = ApiClient.from(flags);
        const body = { name, on: selector(flags), match: matchOf(flags), ...(flags.reason !== undefined ? { reason: flags.reason } : {}) };
        print(flags, await client.post<DenyRule>('/deny-rules', body));
      }),
    ),
  );

  rules.addCommand(
    withApi(new Command('delete').description('delete a deny rule').argument('<name>', 'deny rule name'), { json: false }).action(
      action(async (name: string, flags: OutputFlags) => {
        await ApiClient.from(flags).delete(`/deny-rules/${seg(name)}`);
        process.stdout.write(`deleted deny rule ${name}\n`);
      }),
    ),
  );
  return rules;
}
