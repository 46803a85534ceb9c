// What a statement handler decides beyond the objects: the class, the need on the
// connection as a whole, and flags.
import type { Privilege, StatementClass, StatementFlag } from '../types.js';
import type { Collector } from './collector.js';
import type { Obj } from './nodes.js';

export interface Outcome {
  class: StatementClass;
  requires?: Privilege | null;
  flags?: StatementFlag[];
}

/** Claims the statement's own targets in `c` and decides its class; the walk does the rest. */
export type Handler = (n: Obj, c: Collector) => Outcome;

export const ADMIN: Readonly<Outcome> = Object.freeze({ class: 'admin', requires: 'admin' });
export const DDL: Readonly<Outcome> = Object.freeze({ class: 'ddl' });
