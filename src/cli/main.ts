#!/usr/bin/env node
import { Command } from 'commander';
import { initCommand } from './init.js';
import { ledgerCommand } from './ledger.js';
import { demoCommand } from './demo.js';
import { serveCommand } from './serve.js';

const program = new Command('gatehouse')
  .description('Gatehouse: an access gateway for databases with a tamper-evident, offline-verifiable audit ledger')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program.addCommand(initCommand());
program.addCommand(ledgerCommand());
program.addCommand(serveCommand());
program.addCommand(demoCommand());

await program.parseAsync(process.argv);
