import { text } from 'node:stream/consumers';
import { EventError, prepareEntry, type PreparedEntry } from '../ledger/index.js';
import { CliError, openLedger, type WriterFlags } from './context.js';

export interface AppendFlags extends WriterFlags {
  inlinePayloads?: boolean;
}

const SHOWN_ERRORS = 10;

/**
 * `gatehouse ledger append`: JSON events on stdin, one per line. Every line is checked before
 * anything is written, and all are appended in one transaction: a bad line leaves the ledger as it was.
 */
export async function appendFromStdin(flags: AppendFlags): Promise<number> {
  if (process.stdin.isTTY) process.stderr.write('reading JSON events from stdin, one per line (Ctrl-D ends)\n');
  const lines = (await text(process.stdin)).split('\n');
  const prepared: PreparedEntry[] = [];
  const errors: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      prepared.push(prepareEntry(parseJson(line), { separatePayload: !flags.inlinePayloads }));
    } catch (error) {
      errors.push(`line ${i + 1}: ${(error as Error).message}`);
    }
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, SHOWN_ERRORS).join('\n  ');
    const more = errors.length > SHOWN_ERRORS ? `\n  … and ${errors.length - SHOWN_ERRORS} more` : '';
    throw new CliError(`${errors.length} malformed event(s); nothing was appended:\n  ${shown}${more}`, 1);
  }
  if (prepared.length === 0) {
    process.stderr.write('no events on stdin; nothing appended\n');
    return 0;
  }
  const opened = await openLedger(flags, { create: true });
  try {
    const first = await opened.ledger.appendPrepared(prepared);
    process.stdout.write(prepared.map((_, i) => `${first + i}\n`).join(''));
  } finally {
    await opened.close(); // signs the checkpoint covering these entries
  }
  return 0;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw new EventError(`not JSON (${(error as Error).message})`);
  }
}
