import type { ErrorFields } from './error-fields.js';

/**
 * A byte stream or message body that breaks the PostgreSQL frontend/backend protocol
 * ("Message Formats"). The session answers it the way PostgreSQL does: a FATAL
 * ErrorResponse with this SQLSTATE, then the connection closes.
 *   08P01 protocol_violation: the default (PostgreSQL's "invalid message format" and friends).
 *   54000 program_limit_exceeded: a message over the size limit.
 *   0A000 feature_not_supported: an unsupported protocol version in the StartupMessage.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    message: string,
    readonly sqlstate: string = '08P01',
  ) {
    super(message);
  }

  /** The fields of the ErrorResponse that reports this error to the peer. */
  toFields(severity: 'FATAL' | 'ERROR' = 'FATAL'): ErrorFields {
    return { severity, code: this.sqlstate, message: this.message };
  }
}
