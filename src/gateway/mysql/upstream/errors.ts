import type { ErrPacket } from '../codec/index.js';

/**
 * Dialing the upstream database failed: it could not be reached, TLS or authentication
 * failed, it refused the connection (then `err` holds its ERR packet: code, SQLSTATE,
 * message — e.g. 1045/28000 for a wrong password), or it broke the protocol. Messages never
 * contain the password.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly err?: ErrPacket;

  constructor(message: string, options: { err?: ErrPacket; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.err) this.err = options.err;
  }
}
