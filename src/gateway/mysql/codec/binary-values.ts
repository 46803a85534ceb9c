import { PayloadReader, PayloadWriter } from './bytes.js';
import { TYPE } from './constants.js';

/**
 * Values of the binary protocol ("Binary Protocol Value"), as COM_STMT_EXECUTE sends its
 * parameters and a binary result set row carries its columns, decoded into JSON-friendly
 * values for the audit log:
 *   integers  → number, or a decimal string beyond ±2^53 (exact)
 *   float/double → number (a string for NaN and ±Infinity, which JSON cannot hold)
 *   DATE → 'YYYY-MM-DD'; DATETIME/TIMESTAMP → 'YYYY-MM-DD hh:mm:ss[.ffffff]'
 *   TIME → '[-]hhh:mm:ss[.ffffff]' (days folded into hours, as MySQL prints it)
 *   strings, DECIMAL, JSON, ENUM, SET, BLOB, BIT, GEOMETRY → text when valid UTF-8, else { base64 }
 */
export type BinaryValue = number | string | null | { base64: string };

/** A parameter type as COM_STMT_EXECUTE binds it: enum_field_types and the unsigned flag (0x80 of the second byte). */
export interface ParamType {
  type: number;
  unsigned: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are valid UTF-8, else as base64 (binary data, another charset). */
export function textOrBase64(bytes: Buffer): string | { base64: string } {
  try {
    return utf8.decode(bytes);
  } catch {
    return { base64: bytes.toString('base64') };
  }
}

function integer(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function float(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function fraction(micros: number): string {
  return micros === 0 ? '' : `.${pad(micros, 6)}`;
}

/** DATE, DATETIME, TIMESTAMP: int<1> length (0, 4, 7 or 11), then year, month, day, hour, minute, second, microsecond. */
function readDateTime(r: PayloadReader, type: number): string {
  const length = r.u8();
  if (length !== 0 && length !== 4 && length !== 7 && length !== 11) r.fail(`a date of length ${length}`);
  const year = length >= 4 ? r.u16() : 0;
  const month = length >= 4 ? r.u8() : 0;
  const day = length >= 4 ? r.u8() : 0;
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  // A DATE is sent with length 0 or 4; should a longer structure come, its time is kept too.
  if ((type === TYPE.DATE || type === TYPE.NEWDATE) && length <= 4) return date;
  const hour = length >= 7 ? r.u8() : 0;
  const minute = length >= 7 ? r.u8() : 0;
  const second = length >= 7 ? r.u8() : 0;
  const micros = length === 11 ? r.u32() : 0;
  return `${date} ${pad(hour)}:${pad(minute)}:${pad(second)}${fraction(micros)}`;
}

/** TIME: int<1> length (0, 8 or 12), is_negative, days (int<4>), hour, minute, second, microsecond. */
function readTime(r: PayloadReader): string {
  const length = r.u8();
  if (length !== 0 && length !== 8 && length !== 12) r.fail(`a time of length ${length}`);
  if (length === 0) return '00:00:00';
  const negative = r.u8() !== 0;
  const days = r.u32();
  const hours = days * 24 + r.u8();
  const minute = r.u8();
  const second = r.u8();
  const micros = length === 12 ? r.u32() : 0;
  return `${negative ? '-' : ''}${pad(hours)}:${pad(minute)}:${pad(second)}${fraction(micros)}`;
}

/** Reads one value of `type`. A type this codec does not know is read as a length-encoded string, like the server's default. */
export function readBinaryValue(r: PayloadReader, type: number, unsigned: boolean): BinaryValue {
  switch (type) {
    case TYPE.NULL:
      return null;
    case TYPE.TINY:
      return unsigned ? r.u8() : r.i8();
    case TYPE.SHORT:
    case TYPE.YEAR:
      return unsigned ? r.u16() : r.i16();
    case TYPE.LONG:
    case TYPE.INT24:
      return unsigned ? r.u32() : r.i32();
    case TYPE.LONGLONG:
      return integer(unsigned ? r.u64() : r.i64());
    case TYPE.FLOAT:
      return float(r.f32());
    case TYPE.DOUBLE:
      return float(r.f64());
    case TYPE.DATE:
    case TYPE.NEWDATE:
    case TYPE.DATETIME:
    case TYPE.TIMESTAMP:
    case TYPE.DATETIME2:
    case TYPE.TIMESTAMP2:
      return readDateTime(r, type);
    case TYPE.TIME:
    case TYPE.TIME2:
      return readTime(r);
    default:
      return textOrBase64(r.lenencBytes());
  }
}

/** A value to encode: a JS value that fits the type (tests, and answers the gateway makes itself). */
export type BinaryInput = number | bigint | string | Buffer | null;

/** Writes one value of `type` (the inverse of readBinaryValue for the types it decodes to numbers and strings). */
export function writeBinaryValue(w: PayloadWriter, type: number, value: BinaryInput): void {
  if (value === null || type === TYPE.NULL) return;
  switch (type) {
    case TYPE.TINY:
      w.u8(Number(value));
      return;
    case TYPE.SHORT:
    case TYPE.YEAR:
      w.u16(Number(value));
      return;
    case TYPE.LONG:
    case TYPE.INT24:
      w.u32(Number(value));
      return;
    case TYPE.LONGLONG:
      w.i64(BigInt(value as number | bigint | string));
      return;
    case TYPE.FLOAT:
      w.f32(Number(value));
      return;
    case TYPE.DOUBLE:
      w.f64(Number(value));
      return;
    case TYPE.DATE:
    case TYPE.NEWDATE:
    case TYPE.DATETIME:
    case TYPE.TIMESTAMP:
      writeDateTime(w, String(value));
      return;
    case TYPE.TIME:
      writeTime(w, String(value));
      return;
    default:
      w.lenencBytes(typeof value === 'string' || Buffer.isBuffer(value) ? value : String(value));
  }
}

function writeDateTime(w: PayloadWriter, text: string): void {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a DATE or DATETIME`);
  const [, y, mo, d, h, mi, s, f] = m;
  const micros = f ? Number(f.padEnd(6, '0')) : 0;
  if (h === undefined) {
    w.u8(4).u16(Number(y)).u8(Number(mo)).u8(Number(d));
  } else if (micros === 0) {
    w.u8(7).u16(Number(y)).u8(Number(mo)).u8(Number(d)).u8(Number(h)).u8(Number(mi)).u8(Number(s));
  } else {
    w.u8(11).u16(Number(y)).u8(Number(mo)).u8(Number(d)).u8(Number(h)).u8(Number(mi)).u8(Number(s)).u32(micros);
  }
}

function writeTime(w: PayloadWriter, text: string): void {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a TIME`);
  const [, sign, h, mi, s, f] = m;
  const hours = Number(h);
  const micros = f ? Number(f.padEnd(6, '0')) : 0;
  w.u8(micros === 0 ? 8 : 12).u8(sign ? 1 : 0).u32(Math.floor(hours / 24)).u8(hours % 24).u8(Number(mi)).u8(Number(s));
  if (micros !== 0) w.u32(micros);
}

/** The NULL bitmap of binary rows and COM_STMT_EXECUTE: bit (i + offset) set means column/parameter i is NULL. */
export function nullBitmapLength(count: number, offset: number): number {
  return Math.floor((count + offset + 7) / 8);
}

export function isNullInBitmap(bitmap: Buffer, index: number, offset: number): boolean {
  const bit = index + offset;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

export function buildNullBitmap(isNull: readonly boolean[], offset: number): Buffer {
  const bitmap = Buffer.alloc(nullBitmapLength(isNull.length, offset));
  isNull.forEach((n, i) => {
    if (n) bitmap[(i + offset) >> 3]! |= 1 << ((i + offset) & 7);
  });
  return bitmap;
}
