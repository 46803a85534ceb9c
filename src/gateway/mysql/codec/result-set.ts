import { PayloadReader, PayloadWriter } from './bytes.js';
import { CLIENT_DEPRECATE_EOF, hasCaps, MARIADB_CLIENT_EXTENDED_METADATA } from './capabilities.js';
import { CHARSET, COLUMN_FLAG, TYPE } from './constants.js';
import { isNullInBitmap, nullBitmapLength, readBinaryValue } from './binary-values.js';
import type { BinaryValue } from './binary-values.js';
import { encodeResultSetEnd, encodeResultSetHeader } from './response.js';

/**
 * Result sets: "Column Definition" (Protocol::ColumnDefinition41), "Text Resultset Row" and
 * "Binary Protocol Resultset Row", and the helpers that let the gateway answer a small text
 * result set itself (column count, definitions, rows, EOF/OK terminator).
 */

export interface ColumnDefinition {
  catalog: string;
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  /** MariaDB's extended type information (MARIADB_CLIENT_EXTENDED_METADATA), undecoded. */
  extendedInfo?: Buffer;
  characterSet: number;
  columnLength: number;
  type: number;
  flags: number;
  decimals: number;
  /** COM_FIELD_LIST only: the column's default value. */
  defaultValue?: Buffer;
}

export function decodeColumnDefinition(payload: Buffer, caps: number, fieldList = false): ColumnDefinition {
  const r = new PayloadReader(payload, 'ColumnDefinition41');
  const catalog = r.lenencString();
  const schema = r.lenencString();
  const table = r.lenencString();
  const orgTable = r.lenencString();
  const name = r.lenencString();
  const orgName = r.lenencString();
  let extendedInfo: Buffer | undefined;
  // MariaDB docs, "Result Set Packets" → "Column Definition Packet": the extended info follows org_name.
  if (hasCaps(caps, MARIADB_CLIENT_EXTENDED_METADATA)) extendedInfo = Buffer.from(r.lenencBytes());
  const fixed = r.lenenc();
  if (fixed < 12) r.fail(`the fixed fields have length ${fixed}, not 12`);
  const column: ColumnDefinition = {
    catalog,
    schema,
    table,
    orgTable,
    name,
    orgName,
    characterSet: r.u16(),
    columnLength: r.u32(),
    type: r.u8(),
    flags: r.u16(),
    decimals: r.u8(),
  };
  r.skip(fixed - 10); // the filler (2 bytes)
  if (extendedInfo) column.extendedInfo = extendedInfo;
  if (fieldList && r.remaining > 0) {
    const value = r.lenencBytesOrNull();
    if (value) column.defaultValue = Buffer.from(value);
  }
  r.end();
  return column;
}

export function encodeColumnDefinition(column: Partial<ColumnDefinition> & { name: string }, caps: number): Buffer {
  const w = new PayloadWriter(64);
  w.lenencBytes(column.catalog ?? 'def')
    .lenencBytes(column.schema ?? '')
    .lenencBytes(column.table ?? '')
    .lenencBytes(column.orgTable ?? '')
    .lenencBytes(column.name)
    .lenencBytes(column.orgName ?? column.name);
  if (hasCaps(caps, MARIADB_CLIENT_EXTENDED_METADATA)) w.lenencBytes(column.extendedInfo ?? Buffer.alloc(0));
  w.lenenc(0x0c)
    .u16(column.characterSet ?? CHARSET.UTF8MB4_GENERAL_CI)
    .u32(column.columnLength ?? 0)
    .u8(column.type ?? TYPE.VAR_STRING)
    .u16(column.flags ?? 0)
    .u8(column.decimals ?? 0)
    .zeros(2);
  if (column.defaultValue) w.lenencBytes(column.defaultValue);
  return w.finish();
}

/** A text row: one string<lenenc> per column, 0xFB for NULL. */
export function decodeTextRow(payload: Buffer, columnCount: number): (Buffer | null)[] {
  const r = new PayloadReader(payload, 'text row');
  const values: (Buffer | null)[] = [];
  for (let i = 0; i < columnCount; i++) values.push(r.lenencBytesOrNull());
  r.end();
  return values;
}

export function encodeTextRow(values: readonly (string | Buffer | null)[]): Buffer {
  const w = new PayloadWriter(16);
  for (const v of values) {
    if (v === null) w.nullValue();
    else w.lenencBytes(v);
  }
  return w.finish();
}

/** A binary row: 0x00, a NULL bitmap with an offset of 2, then the non-NULL values. */
export function decodeBinaryRow(payload: Buffer, columns: readonly Pick<ColumnDefinition, 'type' | 'flags'>[]): BinaryValue[] {
  const r = new PayloadReader(payload, 'binary row');
  if (r.u8() !== 0x00) r.fail('header is not 0x00');
  const bitmap = r.bytes(nullBitmapLength(columns.length, 2));
  const values = columns.map((c, i) =>
    isNullInBitmap(bitmap, i, 2) ? null : readBinaryValue(r, c.type, (c.flags & COLUMN_FLAG.UNSIGNED) !== 0),
  );
  r.end();
  return values;
}

/**
 * The packets of a whole text result set the gateway answers itself: column count, column
 * definitions (text columns), EOF unless CLIENT_DEPRECATE_EOF, the rows, and the terminator
 * carrying `status`. Payloads only: the caller numbers and frames them.
 */
export function textResultSet(columns: readonly string[], rows: readonly (readonly (string | null)[])[], caps: number, status: number): Buffer[] {
  const packets = [encodeResultSetHeader(columns.length, caps)];
  for (const name of columns) packets.push(encodeColumnDefinition({ name, columnLength: 1024 }, caps));
  const end = encodeResultSetEnd({ status }, caps);
  if (!hasCaps(caps, CLIENT_DEPRECATE_EOF)) packets.push(end); // the EOF between definitions and rows
  for (const row of rows) packets.push(encodeTextRow(row));
  packets.push(end);
  return packets;
}
