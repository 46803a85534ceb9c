import type { ErrorFields } from '../codec/index.js';

/**
 * Dialing the upstream database failed: it could not be reached, TLS or authentication
 * failed, it refused the connection (then `fields` holds its ErrorResponse), or it broke
 * the protocol. Messages never contain the password.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly fields?: ErrorFields;

  constructor(message: string, options: { fields?: ErrorFields; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.fields) this.fields = options.fields;
  }
}
