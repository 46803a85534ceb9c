/**
 * Why a benchmark could not measure what it set out to. A bench never fails silently: it
 * either prints a figure it trusts or stops with one of these, naming what went wrong.
 */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}

/** A tool's output did not have the shape we parse; the message quotes what it printed. */
export class BenchOutputError extends BenchError {}

/** The last `lines` lines of a process's output, for an error message. */
export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split('\n');
  const shown = all.slice(-lines).join('\n');
  return all.length > lines ? `…\n${shown}` : shown;
}
