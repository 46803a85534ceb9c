export type ProblemKind =
  | 'entry_changed'
  | 'entry_missing'
  | 'entry_malformed'
  | 'node_mismatch'
  | 'node_missing'
  | 'checkpoint_invalid'
  | 'checkpoint_mismatch'
  | 'log_truncated'
  | 'log_forked'
  | 'payload_mismatch'
  | 'payload_missing'
  | 'payload_orphan'
  | 'key_invalid';

export interface Problem {
  kind: ProblemKind;
  /** The first entry index the problem concerns, when there is one. */
  index?: number;
  /** For problems known only to lie somewhere in a range of entries: [first, last]. */
  range?: [number, number];
  message: string;
}

/** Problems that name one exact entry; a range problem containing one is its consequence. */
const PRECISE: ReadonlySet<ProblemKind> = new Set(['entry_changed', 'entry_missing']);

export interface VerifyReport {
  ok: boolean;
  source: string;
  size: number;
  /** base64 MTH of the whole log as rebuilt from the entry bytes. */
  root: string;
  checkpoints: number;
  witnessCheckpoints: number;
  payloads: { held: number; redacted: number };
  problems: Problem[];
}

/**
 * Problems in entry order (those without an index last), so the first names what to look at.
 * A range problem (a stored node or checkpoint that no longer matches) is placed at the first
 * exactly named entry inside its range, after that entry's own problem.
 */
export function sortProblems(problems: Problem[]): Problem[] {
  const precise = problems.filter((p) => PRECISE.has(p.kind) && p.index !== undefined).map((p) => p.index!);
  const placed = problems.map((p) => {
    if (!p.range) return p;
    const inside = precise.filter((i) => i >= p.range![0] && i <= p.range![1]);
    return inside.length > 0 ? { ...p, index: Math.min(...inside) } : p;
  });
  const rank = (p: Problem) => (PRECISE.has(p.kind) ? 0 : 1);
  return placed.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity) || rank(a) - rank(b));
}

export function formatReport(report: VerifyReport, limit = 20): string {
  const lines: string[] = [];
  if (report.ok) {
    lines.push(`OK: ${report.source}`);
  } else {
    const first = report.problems[0]!;
    lines.push(
      `FAILED: ${report.source}: ${report.problems.length} problem(s); first${first.index !== undefined ? ` at entry ${first.index}` : ''}: ${first.message}`,
    );
    for (const p of report.problems.slice(1, limit)) {
      lines.push(`  - ${p.index !== undefined ? `entry ${p.index}: ` : ''}${p.message}`);
    }
    if (report.problems.length > limit) lines.push(`  … and ${report.problems.length - limit} more`);
  }
  lines.push(
    `  entries: ${report.size}`,
    `  root: ${report.root}`,
    `  checkpoints checked: ${report.checkpoints}${report.witnessCheckpoints ? `, witness checkpoints: ${report.witnessCheckpoints}` : ''}`,
    `  payloads: ${report.payloads.held} held, ${report.payloads.redacted} redacted`,
  );
  return lines.join('\n');
}
