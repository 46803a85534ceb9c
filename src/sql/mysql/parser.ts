// node-sql-parser (a PEG grammar of MySQL and MariaDB) turns one statement's text into a
// tree. It knows the query and data-changing statements well and many others not at all;
// statements.ts decides from the leading keywords which statements go to it, and a text it
// cannot parse is refused (fail closed), never guessed at.
import sqlParser from 'node-sql-parser/build/mariadb.js';
import mysqlParser from 'node-sql-parser/build/mysql.js';

export type Ast = Record<string, unknown>;
export type ParseResult = { ok: true; ast: Ast } | { ok: false; error: string; offset?: number };

const mysql = new mysqlParser.Parser();
const mariadb = new sqlParser.Parser();

interface PegError {
  message?: unknown;
  location?: { start?: { offset?: unknown } };
}

/** Parses exactly one statement; MySQL's grammar first, then MariaDB's. */
export function parseOne(text: string): ParseResult {
  const first = attempt(mysql, 'MySQL', text);
  if (first.ok) return first;
  const second = attempt(mariadb, 'MariaDB', text);
  return second.ok ? second : first;
}

function attempt(parser: { astify(text: string, opt: object): unknown }, database: string, text: string): ParseResult {
  try {
    const ast = parser.astify(text, { database });
    const list = Array.isArray(ast) ? ast : [ast];
    if (list.length !== 1 || typeof list[0] !== 'object' || list[0] === null) {
      return { ok: false, error: 'expected exactly one statement' };
    }
    return { ok: true, ast: list[0] as Ast };
  } catch (err) {
    const e = (err ?? {}) as PegError;
    const message = String(e.message ?? err).split('\n')[0]!.slice(0, 300);
    const offset = e.location?.start?.offset;
    return typeof offset === 'number' ? { ok: false, error: message, offset } : { ok: false, error: message };
  }
}
