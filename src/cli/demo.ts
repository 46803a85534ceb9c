import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { startDemo, type RunningDemo } from '../demo/start.js';
import { runThroughGateway } from '../demo/examples.js';
import { outcomeText, setupText, stoppedText } from '../demo/banner.js';
import { DEMO_STATEMENTS } from '../demo/seed.js';
import { action, CliError } from './context.js';
import { useEmbeddedStoreOnly } from './embedded-only.js';
import { parseListen, type Listen } from './listen.js';
import { withGatewayOptions, type GatewayFlags } from './gateway-options.js';

interface DemoFlags extends GatewayFlags {
  httpListen?: Listen;
  dataDir?: string;
  exitAfterSetup?: boolean;
  log?: boolean;
}

const say = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/**
 * `gatehouse demo` (`npm start`): Gatehouse on a throwaway embedded store, in front of an
 * embedded PostgreSQL (PGlite) with sample data and seeded users, until Ctrl-C.
 */
export function demoCommand(): Command {
  const command: Command = withGatewayOptions(
    new Command('demo').description(
      'run Gatehouse in front of an embedded sample PostgreSQL with seeded users, groups and grants, until Ctrl-C',
    ),
  )
    .addOption(
      new Option('--http-listen <host:port>', 'where the admin API listens (default 127.0.0.1:8080, or a free port if taken)').argParser(
        parseListen,
      ),
    )
    .option('--data-dir <dir>', 'keep the demo state here (created, or reused from an earlier run) instead of a new temporary folder')
    .option('--exit-after-setup', 'set everything up, run the allowed and the denied example through the gateway, print them, stop')
    .option('--log', "print the gateway's log lines (logins, decisions) as JSON to stderr (its errors are printed always)");
  // The default gateway port moves to a free one when taken; a port the user gave does not.
  return command.action(action((flags: DemoFlags) => runDemo(flags, command.getOptionValueSource('pgListen') !== 'default')));
}

async function runDemo(flags: DemoFlags, pgListenGiven: boolean): Promise<number> {
  useEmbeddedStoreOnly('demo');
  if (flags.pgRequireTls) {
    // The demo makes no certificate; requiring TLS would refuse every client.
    throw new CliError('the demo serves PostgreSQL clients without TLS; --pg-require-tls is for gatehouse serve');
  }
  const dataDir = flags.dataDir ?? join(mkdtempSync(join(tmpdir(), 'gatehouse-demo-')), 'data');
  say('Starting the Gatehouse demo (the first start loads PGlite, a few seconds)…');
  const demo = await startDemo({
    dataDir,
    pgListen: flags.pg ? { ...flags.pgListen, explicit: pgListenGiven } : null,
    auditMode: flags.auditMode,
    httpListen: { ...(flags.httpListen ?? { host: '127.0.0.1', port: 8080 }), explicit: flags.httpListen !== undefined },
    // The gateway's own failures are printed always (as serve does), the rest with --log.
    onGatewayLog: (line: Record<string, unknown>) => {
      if (flags.log || line.level === 'error') process.stderr.write(`${JSON.stringify(line)}\n`);
    },
    onStep: (text) => say(`  … ${text}`),
  });
  say('');
  say(setupText(demo));

  if (flags.exitAfterSetup) {
    const failed = await runExamples(demo).catch(async (error) => {
      await demo.stop();
      throw error;
    });
    say(stoppedText(await demo.stop(), demo.dataDir));
    return failed ? 1 : 0;
  }

  say('\nRunning. Press Ctrl-C to stop.');
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  say(`\n${signal}: stopping the gateway, the admin API and PGlite, then signing the final checkpoint…`);
  say(stoppedText(await demo.stop(), demo.dataDir));
  return 0;
}

/**
 * The two examples, run by the demo itself through the gateway as alice. Returns true when
 * they did not come out as the demo promises (allowed rows; denied with 42501).
 */
async function runExamples(demo: RunningDemo): Promise<boolean> {
  if (!demo.gateway) {
    say('The examples need the PostgreSQL gateway, which is off (--no-pg); skipped.\n');
    return false;
  }
  say('\nRunning the two examples through the gateway as alice (pg driver):');
  const [allowed, denied] = await runThroughGateway(
    demo.gateway,
    { user: 'alice', password: demo.seed.passwords.alice, connection: demo.seed.connection },
    [DEMO_STATEMENTS.allowed, DEMO_STATEMENTS.denied],
  );
  say(outcomeText('allowed', allowed!));
  say(outcomeText('denied', denied!));
  const asPromised = allowed!.ok && !denied!.ok && denied!.code === '42501';
  if (!asPromised) process.stderr.write('gatehouse demo: the examples did not come out as expected (allowed rows; denied with 42501)\n');
  return !asPromised;
}
