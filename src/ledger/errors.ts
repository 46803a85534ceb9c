/** An event that cannot go into the ledger; `path` points at the offending field. */
export class EventError extends Error {
  override name = 'EventError';
  constructor(message: string, readonly path: string = '') {
    super(path ? `${path}: ${message}` : message);
  }
}

/** The ledger cannot do what was asked (damaged store, missing key, bad index, …). */
export class LedgerError extends Error {
  override name = 'LedgerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A bundle or witness folder cannot be read as documented in docs/ledger.md. */
export class BundleError extends Error {
  override name = 'BundleError';
}
