import { existsSync, renameSync } from 'node:fs';
import { keyFilePath, writeNewSigner } from '../ledger/index.js';
import { verifierKeyOf } from '../ledger/note/index.js';
import { CliError, openLedger, type WriterFlags } from './context.js';

export const ROTATE_ACTION = 'ledger.key.rotate';

/**
 * Replaces the signing key. The old key signs a last checkpoint that covers the rotation
 * event (which names both verifier keys); the new verifier key is recorded beside the old
 * one, so every checkpoint either signed stays verifiable. The old private key is then gone.
 */
export async function rotateKey(flags: WriterFlags): Promise<number> {
  const opened = await openLedger(flags, { create: false });
  const keyPath = keyFilePath(opened.config.dataDir, flags.ledgerKey);
  const nextPath = `${keyPath}.next`;
  let newVkey: string;
  try {
    if (existsSync(nextPath)) {
      throw new CliError(`${nextPath} exists (an interrupted rotation?); check it and remove it first`);
    }
    newVkey = verifierKeyOf(writeNewSigner(nextPath, opened.ledger.origin));
    await opened.repo.addVerifierKey(newVkey, new Date().toISOString());
    await opened.ledger.append({
      actor: { id: 'gatehouse', kind: 'system', name: 'gatehouse' },
      action: ROTATE_ACTION,
      target: { origin: opened.ledger.origin },
      context: { old_vkey: opened.ledger.verifierKey, new_vkey: newVkey },
    });
  } finally {
    await opened.close();
  }
  renameSync(nextPath, keyPath);
  process.stdout.write(`rotated the ledger signing key; the new verifier key is:\n${newVkey}\n`);
  return 0;
}
