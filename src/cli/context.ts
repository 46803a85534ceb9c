import { existsSync } from 'node:fs';
import { CliError } from './action.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { describeStore, resolveStoreConfig, type StoreConfig } from '../config/store.js';
import { openStore, type Store } from '../store/index.js';
import {
  defaultOrigin,
  folderWitness,
  keyFilePath,
  Ledger,
  ledgerRepo,
  readSigner,
  writeNewSigner,
  type LedgerRepo,
} from '../ledger/index.js';

export interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
  ledgerKey?: string;
}

export interface WriterFlags extends StoreFlags {
  witnessDir?: string[];
}

/** --data-dir / --database-url / --ledger-key, on every command that opens the store. */
export function withStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'data directory (embedded SQLite store and keys)').env('GATEHOUSE_DATA_DIR'))
    .addOption(
      new Option('--database-url <url>', 'use a shared PostgreSQL store instead of SQLite (postgres://…)').env(
        'GATEHOUSE_DATABASE_URL',
      ),
    )
    .addOption(
      new Option('--ledger-key <file>', 'ledger signing key file (default: <data-dir>/ledger.key)').env(
        'GATEHOUSE_LEDGER_KEY',
      ),
    );
}

/** --witness-dir, on every command that may sign checkpoints. */
export function withWitnessOptions(command: Command): Command {
  return command.addOption(
    new Option('--witness-dir <dir...>', 'also publish every signed checkpoint to this folder (repeatable)').env(
      'GATEHOUSE_WITNESS_DIR',
    ),
  );
}

export interface OpenedStore {
  config: StoreConfig;
  store: Store;
  repo: LedgerRepo;
  close(): Promise<void>;
}

export async function openLedgerStore(flags: StoreFlags, options: { mustExist: boolean }): Promise<OpenedStore> {
  const config = resolveStoreConfig(flags);
  if (options.mustExist && config.kind === 'sqlite' && !existsSync(config.dataDir)) {
    throw new CliError(`there is no Gatehouse data directory at ${config.dataDir}; run 'gatehouse init' first`);
  }
  const store = await openStore(config);
  return { config, store, repo: ledgerRepo(store), close: () => store.close() };
}

export interface OpenedLedger extends OpenedStore {
  ledger: Ledger;
}

/**
 * Opens the ledger for writing. With `create`, a missing signing key is created (first use);
 * otherwise its absence is an error, since checkpoints cannot be signed without it.
 */
export async function openLedger(
  flags: WriterFlags,
  options: { create: boolean; checkpointIntervalMs?: number; origin?: string },
): Promise<OpenedLedger> {
  const opened = await openLedgerStore(flags, { mustExist: !options.create });
  try {
    const keyPath = keyFilePath(opened.config.dataDir, flags.ledgerKey);
    let signer;
    if (!existsSync(keyPath) && options.create) {
      const origin = (await opened.repo.meta('ledger.origin')) ?? options.origin ?? defaultOrigin();
      signer = writeNewSigner(keyPath, origin);
      process.stderr.write(`created the ledger signing key ${keyPath} for ${describeStore(opened.config)}\n`);
    } else {
      signer = readSigner(keyPath);
    }
    const ledger = await Ledger.open(opened.repo, {
      signer,
      witnesses: (flags.witnessDir ?? []).map(folderWitness),
      checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
      onError: (e) => process.stderr.write(`warning: ${e.message}\n`),
      onRecovered: ({ kept, downMs }) => process.stderr.write(`gatehouse: the ledger commits again after ${(downMs / 1000).toFixed(1)} s of failed commits; ${kept} kept entries written\n`),
    });
    return {
      ...opened,
      ledger,
      close: async () => {
        await ledger.close();
        await opened.close();
      },
    };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

export function parseIndex(name: string) {
  return (value: string): number => {
    if (!/^(0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer.`);
    }
    return Number(value);
  };
}

// Kept in action.ts, which is light, so that the admin commands start without the store's modules.
export { action, CliError } from './action.js';
