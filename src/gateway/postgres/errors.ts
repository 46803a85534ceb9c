import { errorResponse, type ErrorFields } from './codec/index.js';

/**
 * An error that ends a client connection before or during its session: it renders itself as
 * the FATAL ErrorResponse the client sees (PostgreSQL docs, "Error and Notice Message
 * Fields"; SQLSTATEs from Appendix A, "PostgreSQL Error Codes").
 */
export class PgFatal extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
    readonly detail?: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  toErrorResponse(): Buffer {
    return errorResponse(fatalFields(this.sqlstate, this.message, this.detail, this.hint));
  }
}

export function fatalFields(code: string, message: string, detail?: string, hint?: string): ErrorFields {
  return { severity: 'FATAL', code, message, ...(detail ? { detail } : {}), ...(hint ? { hint } : {}) };
}

export function errorFields(code: string, message: string, detail?: string, hint?: string): ErrorFields {
  return { severity: 'ERROR', code, message, ...(detail ? { detail } : {}), ...(hint ? { hint } : {}) };
}

/** One message for every failed login, whatever the cause: no account enumeration. */
export const loginFailed = (user: string) => new PgFatal('28P01', `password authentication failed for user "${user}"`);
