/**
 * Why a note, checkpoint or key was refused. `code` is for programs, `message` is for
 * the operator reading a log line, so it names the line, key or field at fault.
 *
 * - `malformed`: the bytes break the syntax of c2sp.org/signed-note §Format or
 *   c2sp.org/tlog-checkpoint §Note text (or a checkpoint is for another origin).
 * - `unknown_key`: reserved for callers that must refuse a key they do not know;
 *   this module never throws it, because signed-note §Signatures says signatures by
 *   unknown keys MUST be ignored, not rejected.
 * - `bad_signature`: a signature by a known key (name AND key id match) does not verify;
 *   signed-note §Signatures says clients SHOULD then reject the whole note, and we do.
 * - `no_verified_signature`: the note is well formed but no known key signed it
 *   (signed-note §Signatures: clients MUST reject it).
 * - `bad_key`: a signer/verifier key text, key name or verifier list is unusable.
 */
export type NoteErrorCode = 'malformed' | 'unknown_key' | 'bad_signature' | 'no_verified_signature' | 'bad_key';

export class NoteError extends Error {
  override name = 'NoteError';

  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
  }
}
