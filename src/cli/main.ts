#!/usr/bin/env node
import { Command, type CommanderError } from 'commander';

const program = new Command('gatehouse')
  .description('Gatehouse: an access gateway for databases with a tamper-evident, offline-verifiable audit ledger')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

// Each command's module is loaded only when that command runs: the admin commands (clients
// of the admin API of a running `gatehouse serve`: --url, --token) are light and start at
// once, while init, ledger, serve and demo bring the store, the parser and the servers.
// Without a known command name (help, a typo), all are loaded so that help lists them all.
const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./init.js')).initCommand(),
  ledger: async () => (await import('./ledger.js')).ledgerCommand(),
  serve: async () => (await import('./serve.js')).serveCommand(),
  demo: async () => (await import('./demo.js')).demoCommand(),
  users: async () => (await import('./admin/users.js')).usersCommand(),
  groups: async () => (await import('./admin/groups.js')).groupsCommand(),
  connections: async () => (await import('./admin/connections.js')).connectionsCommand(),
  grants: async () => (await import('./admin/grants.js')).grantsCommand(),
  'deny-rules': async () => (await import('./admin/deny-rules.js')).denyRulesCommand(),
  tokens: async () => (await import('./admin/tokens.js')).tokensCommand(),
  sessions: async () => (await import('./admin/sessions.js')).sessionsCommand(),
  policy: async () => (await import('./admin/policy.js')).policyCommand(),
  inventory: async () => (await import('./admin/inventory.js')).inventoryCommand(),
};
const asked = process.argv[2];
const names = asked !== undefined && Object.hasOwn(commands, asked) ? [asked] : Object.keys(commands);
for (const command of await Promise.all(names.map((name) => commands[name]!()))) program.addCommand(command);

// A usage error (unknown option, missing argument) exits 2, as every error that stops a
// command from running does: commander's default 1 would read as "verify found a problem"
// or "policy check denied". Help and version still exit 0.
const usageExit = (error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2);
const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
for (const c of everyCommand(program)) c.exitOverride(usageExit);

await program.parseAsync(process.argv);
