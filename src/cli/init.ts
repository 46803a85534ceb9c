import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { describeStore } from '../config/store.js';
import { defaultOrigin, keyFilePath, Ledger, readSigner, writeNewSigner } from '../ledger/index.js';
import { action, CliError, openLedgerStore, withStoreOptions, type StoreFlags } from './context.js';

/**
 * `gatehouse init`: the data directory, the store (migrated) and the ledger signing key.
 * Safe to run again: it creates only what is missing and says what it found.
 */
export function initCommand(): Command {
  return withStoreOptions(
    new Command('init')
      .description('create the data directory, the store and the ledger signing key')
      .addOption(new Option('--origin <name>', 'the ledger origin (log name in checkpoints); default: a unique name')),
  ).action(
    action(async (flags: StoreFlags & { origin?: string }) => {
      const opened = await openLedgerStore(flags, { mustExist: false });
      try {
        const keyPath = keyFilePath(opened.config.dataDir, flags.ledgerKey);
        const stored = await opened.repo.meta('ledger.origin');
        if (flags.origin && stored && flags.origin !== stored) {
          throw new CliError(`this ledger's origin is already "${stored}"; an origin never changes`);
        }
        const existed = existsSync(keyPath);
        const signer = existed ? readSigner(keyPath) : writeNewSigner(keyPath, stored ?? flags.origin ?? defaultOrigin());
        const ledger = await Ledger.open(opened.repo, { signer, checkpointIntervalMs: 0 });
        await ledger.close();
        process.stdout.write(
          [
            `store: ${describeStore(opened.config)}`,
            `ledger origin: ${ledger.origin}`,
            `signing key: ${keyPath}${existed ? ' (existing)' : ' (created, mode 0600)'}`,
            `verifier key: ${ledger.verifierKey}`,
            `entries: ${ledger.size}`,
            '',
          ].join('\n'),
        );
      } finally {
        await opened.close();
      }
    }),
  );
}
