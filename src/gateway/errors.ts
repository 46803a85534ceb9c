/**
 * Errors of the gateways' set-up, shared by every engine: the operator reads them at start-up
 * (`gatehouse init`, `gatehouse serve`), so each names the file and the fix. Errors of the wire
 * protocols live with each engine's codec.
 */
export class TlsError extends Error {
  override name = 'TlsError';
}

/** The client went away mid-login: nothing to answer, only to clean up (every engine). */
export class ClientGoneError extends Error {}
