// classify() for PostgreSQL: parse with the real parser, then one record per statement.
// Fail closed: what cannot be parsed is an error (the gateway denies it); what parses but
// is not understood is admin (statements.ts); nothing the input can do makes this throw.
import type { Classification, ClassifiedStatement } from '../types.js';
import { parse } from './parser.js';
import { classifyNode } from './statements.js';
import { statementTexts } from './text.js';
import { unwrap } from './nodes.js';

export function classifyPostgres(text: string): Classification {
  // The parser reads a C string: a NUL would end the statement early for the parser while
  // whatever follows it could still reach the server. PostgreSQL rejects NUL in queries too.
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { ok: false, error: 'the statement text contains a NUL character', position: nul + 1 };
  if (text.trim() === '') return { ok: true, statements: [] };
  const parsed = parse(text);
  if (!parsed.ok) return parsed;
  try {
    const texts = statementTexts(text, parsed.stmts);
    const statements = parsed.stmts.map((raw, i): ClassifiedStatement => {
      const { effect: _effect, functionRequires: _requires, ...result } = classifyNode(raw.stmt);
      return { text: texts[i]!, kind: unwrap(raw.stmt)?.[0] ?? 'unknown', ...result };
    });
    return { ok: true, statements };
  } catch (err) {
    // A tree deeper than the JavaScript stack, or a bug: deny rather than guess.
    return { ok: false, error: `the statement could not be classified: ${err instanceof Error ? err.message : String(err)}` };
  }
}
