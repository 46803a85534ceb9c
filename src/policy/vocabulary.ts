// The runtime lists of the closed vocabularies in sql/types.ts, for validating what
// administrators submit. The `satisfies` and `Exhaustive` checks fail to compile when
// sql/types.ts gains a member that is missing here.
import type { Privilege, StatementClass, StatementFlag } from '../sql/types.js';
import type { DenyMatch } from './types.js';

type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : never;

export const STATEMENT_CLASSES = [
  'read',
  'write',
  'ddl',
  'admin',
  'transaction',
  'session',
  'utility',
] as const satisfies readonly StatementClass[];
const classesComplete: Exhaustive<StatementClass, (typeof STATEMENT_CLASSES)[number]> = true;

export const STATEMENT_FLAGS = [
  'no_where',
  'drop',
  'truncate',
  'writing_cte',
  'select_into',
  'copy_program',
  'copy_file',
  'server_file',
  'dynamic_code',
  'role_change',
  'side_effect_function',
  'explain_analyze',
  'system_catalog',
] as const satisfies readonly StatementFlag[];
const flagsComplete: Exhaustive<StatementFlag, (typeof STATEMENT_FLAGS)[number]> = true;

export const DENY_MATCH_KINDS = ['no_where', 'drop_truncate', 'classes', 'flags'] as const satisfies readonly DenyMatch['kind'][];
const kindsComplete: Exhaustive<DenyMatch['kind'], (typeof DENY_MATCH_KINDS)[number]> = true;

void [classesComplete, flagsComplete, kindsComplete];

/** What each privilege grants, beyond itself: admin implies read, write and ddl; nothing else implies anything. */
export const IMPLIED: Readonly<Record<Privilege, readonly Privilege[]>> = {
  read: ['read'],
  write: ['write'],
  ddl: ['ddl'],
  admin: ['admin', 'read', 'write', 'ddl'],
};
