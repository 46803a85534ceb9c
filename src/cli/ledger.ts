import { Command, InvalidArgumentError, Option } from 'commander';
import { consistencyProof, exportBundle, inclusionProof, redactPayload } from '../ledger/index.js';
import { appendFromStdin } from './ledger-append.js';
import { verifyCommand } from './ledger-verify.js';
import { rotateKey } from './ledger-rotate.js';
import { runLedgerTour } from './ledger-tour.js';
import { ledgerCommitsCommand } from './ledger-commits.js';
import {
  action,
  CliError,
  openLedger,
  openLedgerStore,
  parseIndex,
  withStoreOptions,
  withWitnessOptions,
  type StoreFlags,
  type WriterFlags,
} from './context.js';

const json = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Signs a checkpoint of any new entries when a key is at hand; reading needs no key. */
async function withFreshCheckpoint(flags: WriterFlags, sign: boolean): Promise<void> {
  if (!sign) return;
  const opened = await openLedger(flags, { create: false });
  await opened.close(); // close() signs the checkpoint of everything committed
}

/** The tour redacts entry 7 and proves entry min(421, n - 1), so it needs a few entries. */
function parseTourEvents(value: string): number {
  const n = parseIndex('--events')(value);
  if (n < 10) throw new InvalidArgumentError('--events must be at least 10.');
  return n;
}

export function ledgerCommand(): Command {
  const ledger = new Command('ledger').description('the tamper-evident audit ledger: append, verify, prove, export');

  withWitnessOptions(
    withStoreOptions(
      ledger
        .command('append')
        .description('append JSON events read from stdin (one per line); prints one index per line')
        .option('--inline-payloads', 'keep "payload" inside the entry instead of apart behind a commitment'),
    ),
  ).action(action((flags) => appendFromStdin(flags)));

  withStoreOptions(
    ledger
      .command('verify')
      .description('recompute every leaf, rebuild the tree, check every checkpoint, signature and payload')
      .option('--bundle <dir>', 'verify an exported bundle instead of the store')
      .option('--witness <dir...>', 'also check consistency with every checkpoint in this folder (repeatable)')
      .option('--vkey <file>', 'trust only these verifier keys (one per line) instead of the ones the log names')
      .option('--json', 'print the report as JSON'),
  ).action(action((flags) => verifyCommand(flags)));

  withWitnessOptions(
    withStoreOptions(
      ledger
        .command('export')
        .description('write a bundle an auditor can verify offline, without Gatehouse (docs/ledger.md)')
        .requiredOption('--out <dir>', 'a new or empty folder')
        .option('--no-sign', 'do not sign a checkpoint of new entries first (export up to the latest one)'),
    ),
  ).action(
    action(async (flags: WriterFlags & { out: string; sign: boolean }) => {
      await withFreshCheckpoint(flags, flags.sign);
      const opened = await openLedgerStore(flags, { mustExist: true });
      try {
        const summary = await exportBundle(opened.repo, flags.out);
        process.stderr.write(
          `exported ${summary.size} entries, ${summary.checkpoints} checkpoints and ${summary.payloads} payloads to ${summary.dir}\n`,
        );
      } finally {
        await opened.close();
      }
    }),
  );

  withStoreOptions(
    ledger
      .command('proof')
      .description('the RFC 9162 inclusion proof of one entry, as JSON')
      .requiredOption('--index <n>', 'entry index', parseIndex('--index'))
      .option('--size <m>', 'tree size (default: the latest checkpoint)', parseIndex('--size')),
  ).action(
    action(async (flags: StoreFlags & { index: number; size?: number }) => {
      const opened = await openLedgerStore(flags, { mustExist: true });
      try {
        const size = flags.size ?? (await opened.repo.latestCheckpoint())?.size;
        if (size === undefined) throw new CliError('the ledger has no checkpoint yet; give --size');
        json(await inclusionProof(opened.repo, flags.index, size));
      } finally {
        await opened.close();
      }
    }),
  );

  withStoreOptions(
    ledger
      .command('consistency')
      .description('the RFC 9162 consistency proof between two tree sizes, as JSON')
      .requiredOption('--from <a>', 'older tree size', parseIndex('--from'))
      .requiredOption('--to <b>', 'newer tree size', parseIndex('--to')),
  ).action(
    action(async (flags: StoreFlags & { from: number; to: number }) => {
      const opened = await openLedgerStore(flags, { mustExist: true });
      try {
        json(await consistencyProof(opened.repo, flags.from, flags.to));
      } finally {
        await opened.close();
      }
    }),
  );

  withWitnessOptions(
    withStoreOptions(
      ledger
        .command('checkpoint')
        .description('print the latest signed checkpoint (signing one first if there are new entries)')
        .option('--no-sign', 'only print the latest stored checkpoint'),
    ),
  ).action(
    action(async (flags: WriterFlags & { sign: boolean }) => {
      await withFreshCheckpoint(flags, flags.sign);
      const opened = await openLedgerStore(flags, { mustExist: true });
      try {
        const latest = await opened.repo.latestCheckpoint();
        if (!latest) throw new CliError('the ledger has no checkpoint yet (it is empty)', 1);
        process.stdout.write(latest.note);
      } finally {
        await opened.close();
      }
    }),
  );

  withWitnessOptions(
    withStoreOptions(
      ledger
        .command('redact')
        .description('drop the separately kept payload of one entry; the redaction is itself a ledger event')
        .requiredOption('--index <n>', 'entry index', parseIndex('--index'))
        .requiredOption('--reason <text>', 'why (e.g. a GDPR erasure request id)')
        .addOption(new Option('--actor <name>', 'who asks for it').env('USER').default('operator')),
    ),
  ).action(
    action(async (flags: WriterFlags & { index: number; reason: string; actor: string }) => {
      const opened = await openLedger(flags, { create: false });
      try {
        const at = await redactPayload(opened.ledger, flags.index, flags.reason, {
          id: flags.actor,
          kind: 'human',
          name: flags.actor,
        });
        process.stdout.write(`redacted the payload of entry ${flags.index}; the redaction is entry ${at}\n`);
      } finally {
        await opened.close();
      }
    }),
  );

  withWitnessOptions(
    withStoreOptions(
      ledger
        .command('rotate-key')
        .description('replace the signing key; checkpoints signed by the old key stay verifiable'),
    ),
  ).action(action((flags: WriterFlags) => rotateKey(flags)));

  ledger
    .command('tour')
    .description('a short tour of the ledger on a fresh embedded store in a temporary folder: append, checkpoint, prove, redact, export, tamper')
    .option('--events <n>', 'how many events to append (at least 10)', parseTourEvents, 1000)
    .action(action(async (flags: { events: number }) => runLedgerTour(flags.events)));

  ledger.addCommand(ledgerCommitsCommand());

  return ledger;
}
