import { BodyReader, MessageWriter } from './bytes.js';
import { ProtocolError } from './errors.js';

/**
 * The fields of an ErrorResponse or NoticeResponse ("Error and Notice Message Fields").
 * severity, code and message are always present; the rest only when they apply.
 */
export interface ErrorFields {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  file?: string;
  line?: string;
  routine?: string;
  /** The other named fields: severityNonLocalized (V), internalPosition (p), internalQuery (q), dataType (d). */
  [other: string]: string | undefined;
}

/**
 * Field type byte → name, in the order of "Error and Notice Message Fields". S is the
 * (possibly localized) severity, V the same never localized (PostgreSQL 9.6+).
 */
const FIELD_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['S', 'severity'],
  ['V', 'severityNonLocalized'],
  ['C', 'code'],
  ['M', 'message'],
  ['D', 'detail'],
  ['H', 'hint'],
  ['P', 'position'],
  ['p', 'internalPosition'],
  ['q', 'internalQuery'],
  ['W', 'where'],
  ['s', 'schema'],
  ['t', 'table'],
  ['c', 'column'],
  ['d', 'dataType'],
  ['n', 'constraint'],
  ['F', 'file'],
  ['L', 'line'],
  ['R', 'routine'],
];

const NAME_BY_CODE = new Map(FIELD_NAMES.map(([letter, name]) => [letter.charCodeAt(0), name]));

/** The body and framing of an ErrorResponse ('E') or NoticeResponse ('N'). */
export function encodeFields(type: number, fields: ErrorFields): Buffer {
  const w = new MessageWriter(type, 128);
  for (const [letter, name] of FIELD_NAMES) {
    // V repeats S unless the caller gave the non-localized severity apart.
    const value = name === 'severityNonLocalized' ? (fields.severityNonLocalized ?? fields.severity) : fields[name];
    if (value === undefined) continue;
    w.byte(letter.charCodeAt(0)).cstring(value);
  }
  return w.byte(0).finish();
}

/**
 * Parses the body of an ErrorResponse or NoticeResponse. Unknown field types are skipped,
 * as the section asks of frontends ("silently ignore fields of unrecognized type").
 */
export function parseErrorFields(body: Buffer): ErrorFields {
  const r = new BodyReader(body, 'ErrorResponse/NoticeResponse');
  const out: Record<string, string> = {};
  for (;;) {
    const code = r.byte();
    if (code === 0) break;
    const value = r.cstring();
    const name = NAME_BY_CODE.get(code);
    if (name !== undefined) out[name] = value;
  }
  r.end();
  const severity = out.severity ?? out.severityNonLocalized;
  if (severity === undefined || out.code === undefined || out.message === undefined) {
    throw new ProtocolError('invalid ErrorResponse/NoticeResponse message: the S, C and M fields are always present');
  }
  return { ...out, severity, code: out.code, message: out.message };
}
