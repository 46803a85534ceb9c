// A small MySQL lexer: just enough to know exactly where strings, quoted identifiers and
// comments are, so that statement boundaries (`;`) and executable comments are found the
// way the server finds them. The parser (node-sql-parser) re-lexes each statement's tokens;
// this lexer decides what it gets to see.
//
// MySQL manual, "Comment Syntax" (9.7): `#` and `-- ` (the second dash followed by a space
// or control character) run to the end of the line; `/* … */` does not nest; `/*! … */` and
// `/*!NNNNN … */` are executed (the latter when the server version ≥ NNNNN). MariaDB also
// executes `/*M! … */` and `/*M!NNNNNN … */` (MariaDB KB, "Comment Syntax"); MySQL treats
// those as ordinary comments. "String Literals" (11.1.1): '…' and "…" with backslash
// escapes and doubled quotes (sql_mode NO_BACKSLASH_ESCAPES and ANSI_QUOTES are guarded
// in settings.ts, since they would change this lexing). "Schema Object Names" (11.2):
// backtick identifiers, a doubled backtick is one backtick.

export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'var' | 'op' | 'semi';

/** An executable comment whose content only some servers run. */
export interface Conditional {
  id: number;
  /** `/*!NNNNN` is MySQL's form (MariaDB runs it too); `/*M!` is MariaDB's only. */
  family: 'mysql' | 'mariadb';
  /** The minimum server version; null for `/*M!` without a version. */
  version: number | null;
}

export interface Token {
  kind: TokenKind;
  /** Offsets in the input (UTF-16 units): text.slice(start, end) is the token. */
  start: number;
  end: number;
  /** The source text of the token. */
  text: string;
  /** Strings and quoted identifiers: the value, escapes resolved. Words: upper-cased. */
  value: string;
  /** Set when the token sits inside a version-conditional executable comment. */
  cond?: Conditional;
  /** The token is in an executable comment (any kind). */
  inComment?: boolean;
}

export type LexResult = { ok: true; tokens: Token[] } | { ok: false; error: string; offset: number };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isControl = (c: string | undefined): boolean => c === undefined || (c.charCodeAt(0) < 32 && c !== '\u0000') || c === '\u007f';
const isWordChar = (c: string | undefined): boolean => c !== undefined && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

// Backslash escapes of MySQL string literals ("String Literals", table 11.1).
const ESCAPES: Record<string, string> = { '0': '\u0000', "'": "'", '"': '"', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\u001a', '\\': '\\' };

class Failure {
  constructor(readonly error: string, readonly offset: number) {}
}

/** Tokens of `text`; ordinary comments and whitespace are dropped. */
export function lex(text: string): LexResult {
  try {
    return { ok: true, tokens: new Lexer(text).run() };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, error: err.error, offset: err.offset };
    throw err;
  }
}

class Lexer {
  private i = 0;
  private readonly tokens: Token[] = [];
  /** The executable comment we are inside, if any. */
  private comment: { start: number; cond: Conditional | undefined } | undefined;
  private nextId = 0;

  constructor(private readonly s: string) {}

  run(): Token[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i]!;
      const start = this.i;
      if (c === '\u0000') throw new Failure('the statement text contains a NUL character', start);
      if (isSpace(c)) {
        this.i++;
      } else if (this.comment && c === '*' && s[this.i + 1] === '/') {
        this.comment = undefined;
        this.i += 2;
      } else if (c === '/' && s[this.i + 1] === '*') {
        this.blockComment();
      } else if (c === '#' || (c === '-' && s[this.i + 1] === '-' && (isSpace(s[this.i + 2]) || isControl(s[this.i + 2])))) {
        // Inside an executable comment a line comment would swallow its `*/` on one server
        // and not on another (servers that skip the comment stop at the first `*/`).
        if (this.comment) throw new Failure('a line comment inside an executable comment', start);
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? s.length : nl + 1;
      } else if (c === "'" || c === '"') {
        this.quoted(c, 'string');
      } else if (c === '`') {
        this.quoted('`', 'ident');
      } else if (c === ';') {
        this.push('semi', start, start + 1, ';');
        this.i++;
      } else if (c === '@') {
        this.variable();
      } else if (isWordChar(c) || (c === '.' && isDigit(s[this.i + 1]) && !this.afterName())) {
        this.word();
      } else {
        this.push('op', start, start + 1, c);
        this.i++;
      }
    }
    if (this.comment) throw new Failure('unterminated executable comment', this.comment.start);
    return this.tokens;
  }

  /** A `.` right after a name is a qualifier dot (t.1x), not the start of a number. */
  private afterName(): boolean {
    const last = this.tokens[this.tokens.length - 1];
    return last !== undefined && last.end === this.i && (last.kind === 'word' || last.kind === 'ident');
  }

  private push(kind: TokenKind, start: number, end: number, value: string): void {
    const token: Token = { kind, start, end, text: this.s.slice(start, end), value };
    if (this.comment) {
      token.inComment = true;
      if (this.comment.cond) token.cond = this.comment.cond;
    }
    this.tokens.push(token);
  }

  private blockComment(): void {
    const s = this.s;
    const start = this.i;
    if (this.comment) throw new Failure('a comment inside an executable comment', start);
    let j = start + 2;
    const bang = s[j] === '!' ? 1 : s[j] === 'M' && s[j + 1] === '!' ? 2 : 0;
    if (bang === 0) {
      // Ordinary comment (optimizer hints `/*+ … */` included): to the first `*/`, no nesting.
      const end = s.indexOf('*/', j);
      if (end < 0) throw new Failure('unterminated comment', start);
      this.i = end + 2;
      return;
    }
    j += bang;
    let digits = 0;
    while (isDigit(s[j + digits])) digits++;
    let cond: Conditional | undefined;
    const family = bang === 2 ? 'mariadb' : 'mysql';
    if (digits >= 5) {
      // MySQL reads five digits (six on newer servers); MariaDB six for /*M!. Take what is there.
      const take = digits >= 6 ? 6 : 5;
      cond = { id: this.nextId++, family, version: Number(s.slice(j, j + take)) };
      j += take;
    } else if (family === 'mariadb') {
      cond = { id: this.nextId++, family, version: null };
    }
    // Servers that do not run the comment skip to its first `*/` without looking at strings;
    // servers that run it lex strings inside. If a quoted token held a `*/`, the two would
    // disagree on where the comment ends: refuse such text (checked in quoted()).
    this.comment = { start, cond };
    this.i = j;
  }

  private quoted(q: string, kind: 'string' | 'ident'): void {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    let value = '';
    for (;;) {
      if (j >= s.length) throw new Failure(kind === 'ident' ? 'unterminated quoted identifier' : 'unterminated string', start);
      const c = s[j]!;
      if (c === '\u0000') throw new Failure('the statement text contains a NUL character', j);
      if (c === q) {
        if (s[j + 1] === q) {
          value += q;
          j += 2;
          continue;
        }
        j++;
        break;
      }
      if (c === '\\' && kind === 'string') {
        const next = s[j + 1];
        if (next === undefined) throw new Failure('unterminated string', start);
        // \% and \_ keep their backslash (for LIKE); unknown escapes drop it.
        value += next === '%' || next === '_' ? `\\${next}` : ESCAPES[next] ?? next;
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    if (this.comment && s.slice(start, j).includes('*/')) {
      throw new Failure('a quoted text containing */ inside an executable comment', start);
    }
    this.i = j;
    this.push(kind, start, j, value);
  }

  private variable(): void {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    if (s[j] === '@') j++;
    if (s[j] === "'" || s[j] === '"' || s[j] === '`') {
      // @'my var': the name is a quoted text.
      this.i = j;
      this.quoted(s[j]!, s[j] === '`' ? 'ident' : 'string');
      const q = this.tokens.pop()!;
      this.push('var', start, q.end, s.slice(start, j) + q.value);
      return;
    }
    while (isWordChar(s[j]) || s[j] === '.') j++;
    this.i = j;
    this.push('var', start, j, s.slice(start, j));
  }

  private word(): void {
    const s = this.s;
    const start = this.i;
    let j = start;
    // Numbers with a fraction or exponent (1.5, .5, 1e-3) stay one token; names stop at dots.
    if (isDigit(s[j]) || s[j] === '.') {
      while (isDigit(s[j])) j++;
      if (s[j] === '.' && !isWordChar(s[j + 1]) ) j++;
      else if (s[j] === '.' && isDigit(s[j + 1])) {
        j++;
        while (isDigit(s[j])) j++;
      }
      if ((s[j] === 'e' || s[j] === 'E') && (isDigit(s[j + 1]) || ((s[j + 1] === '-' || s[j + 1] === '+') && isDigit(s[j + 2])))) {
        j += 2;
        while (isDigit(s[j])) j++;
      }
      if (!isWordChar(s[j])) {
        this.i = j;
        this.push('number', start, j, s.slice(start, j));
        return;
      }
      j = start;
    }
    while (isWordChar(s[j])) j++;
    this.i = j;
    const text = s.slice(start, j);
    this.push(/^[0-9]/.test(text) && /^[0-9]+$/.test(text) ? 'number' : 'word', start, j, text.toUpperCase());
  }
}
