/**
 * C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints
 * (c2sp.org/tlog-checkpoint), Ed25519 only, on node:crypto.
 */
export { NoteError, type NoteErrorCode } from './errors.js';
export {
  generateSignerKey,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  verifierKeyOf,
  type Ed25519Signer,
  type Signer,
  type Verifier,
} from './keys.js';
export { MAX_SIGNATURES, openNote, signNote, type NoteSignature, type OpenedNote } from './note.js';
export {
  MAX_CHECKPOINT_SIZE,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  type Checkpoint,
} from './checkpoint.js';
