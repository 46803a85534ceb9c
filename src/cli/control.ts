import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { masterKeyPath, readMasterKey, writeNewMasterKey, type MasterKey } from '../connections/master-key.js';
import { ControlPlane } from '../control/plane.js';
import { openLedger, type OpenedLedger, type WriterFlags } from './context.js';

export interface ControlFlags extends WriterFlags {
  masterKey?: string;
}

/** --master-key, on every command that opens the control plane. */
export function withMasterKeyOption(command: Command): Command {
  return command.addOption(
    new Option('--master-key <file>', 'master key file sealing upstream credentials (default: <data-dir>/master.key)').env(
      'GATEHOUSE_MASTER_KEY_FILE',
    ),
  );
}

export interface OpenedControlPlane extends OpenedLedger {
  cp: ControlPlane;
  masterKeyCreated: boolean;
}

/**
 * Opens the store, the ledger and the master key, wired into one ControlPlane. With `create`,
 * missing keys are made (init); otherwise their absence is an error naming the fix.
 */
export async function openControlPlane(
  flags: ControlFlags,
  options: { create: boolean; checkpointIntervalMs?: number; origin?: string },
): Promise<OpenedControlPlane> {
  const opened = await openLedger(flags, options);
  try {
    const path = masterKeyPath(opened.config.dataDir, flags.masterKey);
    let masterKey: MasterKey;
    let masterKeyCreated = false;
    if (options.create && !process.env.GATEHOUSE_MASTER_KEY && !existsSync(path)) {
      masterKey = writeNewMasterKey(path);
      masterKeyCreated = true;
    } else {
      masterKey = readMasterKey(path);
    }
    return { ...opened, cp: new ControlPlane(opened.store.db, opened.ledger, masterKey), masterKeyCreated };
  } catch (error) {
    await opened.close();
    throw error;
  }
}
