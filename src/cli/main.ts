#!/usr/bin/env node
import { Command, type CommanderError } from 'commander';
import { initCommand } from './init.js';
import { ledgerCommand } from './ledger.js';
import { demoCommand } from './demo.js';
import { serveCommand } from './serve.js';
import { usersCommand } from './admin/users.js';
import { groupsCommand } from './admin/groups.js';
import { connectionsCommand } from './admin/connections.js';
import { grantsCommand } from './admin/grants.js';
import { denyRulesCommand } from './admin/deny-rules.js';
import { tokensCommand } from './admin/tokens.js';
import { sessionsCommand } from './admin/sessions.js';
import { policyCommand } from './admin/policy.js';
import { inventoryCommand } from './admin/inventory.js';

const program = new Command('gatehouse')
  .description('Gatehouse: an access gateway for databases with a tamper-evident, offline-verifiable audit ledger')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program.addCommand(initCommand());
program.addCommand(ledgerCommand());
program.addCommand(serveCommand());
program.addCommand(demoCommand());
// Admin commands: clients of the admin API of a running `gatehouse serve` (--url, --token).
program.addCommand(usersCommand());
program.addCommand(groupsCommand());
program.addCommand(connectionsCommand());
program.addCommand(grantsCommand());
program.addCommand(denyRulesCommand());
program.addCommand(tokensCommand());
program.addCommand(sessionsCommand());
program.addCommand(policyCommand());
program.addCommand(inventoryCommand());

// A usage error (unknown option, missing argument) exits 2, as every error that stops a
// command from running does: commander's default 1 would read as "verify found a problem"
// or "policy check denied". Help and version still exit 0.
const usageExit = (error: CommanderError) => process.exit(error.exitCode === 0 ? 0 : 2);
const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
for (const c of everyCommand(program)) c.exitOverride(usageExit);

await program.parseAsync(process.argv);
