/** One thing wrong with a grant, deny rule or pattern an administrator submitted. */
export interface ValidationProblem {
  /** Where in the submitted value, e.g. "objects[1]" or "on.tags"; "" for the value itself. */
  path: string;
  message: string;
}

/**
 * Policy input that must be refused (a bad glob, an unknown privilege, an empty selector).
 * Renders itself as an RFC 9457 problem document so the API can answer 400 without
 * rephrasing what went wrong.
 */
export class PolicyInputError extends Error {
  override name = 'PolicyInputError';
  readonly problems: ValidationProblem[];

  constructor(problems: ValidationProblem[]) {
    const first = problems[0];
    const head = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid policy input';
    super(problems.length > 1 ? `${head} (and ${problems.length - 1} more)` : head);
    this.problems = problems;
  }

  /** RFC 9457 problem+json body; `errors` lists every problem, not only the first. */
  toProblem(): { type: string; title: string; status: 400; detail: string; errors: ValidationProblem[] } {
    return { type: 'about:blank', title: 'Invalid policy input', status: 400, detail: this.message, errors: this.problems };
  }
}
