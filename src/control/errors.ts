/**
 * Errors of the control plane. Each knows its HTTP status and renders itself as an
 * RFC 9457 problem+json document; messages are safe to show (no secrets, no SQL).
 */
export type ProblemKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'too_many' | 'unavailable';

const STATUS: Record<ProblemKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_many: 429,
  unavailable: 503,
};

const TITLE: Record<ProblemKind, string> = {
  invalid: 'Invalid request',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  too_many: 'Too many requests',
  unavailable: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
}

export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.kind];
  }

  toProblem(instance?: string): Problem {
    return {
      type: `urn:gatehouse:problem:${this.kind.replace('_', '-')}`,
      title: TITLE[this.kind],
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = (what: string, name: string) => new ControlError('not_found', `there is no ${what} named "${name}"`);
export const conflict = (what: string, name: string) => new ControlError('conflict', `a ${what} named "${name}" already exists`);
export const invalid = (message: string) => new ControlError('invalid', message);
