// The policy engine: a pure decision per request, plus what the API and CLI need around it.
export { evaluate } from './evaluate.js';
export { explainDecision } from './explain.js';
export { effectivePrivileges, type EffectiveAccess, type EffectiveGrant, type EffectivePrivilege } from './effective.js';
export { parseObjectPattern, displayObject, type ObjectPattern } from './pattern.js';
export { validateGrant, validateDenyRule, validateSelector, type ValidateOptions } from './validate.js';
export { PolicyInputError, type ValidationProblem } from './errors.js';
export { CATALOG_SCHEMAS, PROTECTED_CATALOG_RELATIONS } from './needs.js';
export { STATEMENT_CLASSES, STATEMENT_FLAGS, DENY_MATCH_KINDS } from './vocabulary.js';
export type * from './types.js';
