import { trace } from './trace.js';
import type { Decision, EvaluateInput } from './types.js';

/**
 * The policy decision for one request on one connection (docs/policy.md). Pure: no I/O, no
 * clock, no state carried between calls; the caller loads principal, grants and deny rules
 * fresh for each decision, so no cache can outlive a change.
 */
export function evaluate(input: EvaluateInput): Decision {
  return trace(input).decision;
}
