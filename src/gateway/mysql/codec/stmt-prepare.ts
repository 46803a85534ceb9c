import { PayloadReader, PayloadWriter } from './bytes.js';
import { CLIENT_OPTIONAL_RESULTSET_METADATA, hasCaps } from './capabilities.js';

/**
 * "COM_STMT_PREPARE Response" → COM_STMT_PREPARE_OK: 0x00, int<4> statement id, int<2>
 * number of columns, int<2> number of parameters, a reserved 0x00, int<2> warning count, and
 * with CLIENT_OPTIONAL_RESULTSET_METADATA int<1> metadata_follows. Then the parameter and the
 * column definitions follow, each group ended by an EOF unless CLIENT_DEPRECATE_EOF.
 */
export interface PrepareOk {
  statementId: number;
  columnCount: number;
  paramCount: number;
  warnings: number;
  metadataFollows: boolean;
}

export function decodePrepareOk(payload: Buffer, caps: number): PrepareOk {
  const r = new PayloadReader(payload, 'COM_STMT_PREPARE_OK');
  if (r.u8() !== 0x00) r.fail('header is not 0x00');
  const statementId = r.u32();
  const columnCount = r.u16();
  const paramCount = r.u16();
  r.u8();
  // The warning count is there when the packet is longer than 9 bytes (MySQL's libmysql reads it so).
  const warnings = r.remaining >= 2 ? r.u16() : 0;
  let metadataFollows = true;
  if (hasCaps(caps, CLIENT_OPTIONAL_RESULTSET_METADATA) && r.remaining > 0) metadataFollows = r.u8() !== 0;
  r.end();
  return { statementId, columnCount, paramCount, warnings, metadataFollows };
}

export function encodePrepareOk(ok: Omit<PrepareOk, 'metadataFollows' | 'warnings'> & { warnings?: number; metadataFollows?: boolean }, caps: number): Buffer {
  const w = new PayloadWriter(13).u8(0).u32(ok.statementId).u16(ok.columnCount).u16(ok.paramCount).u8(0).u16(ok.warnings ?? 0);
  if (hasCaps(caps, CLIENT_OPTIONAL_RESULTSET_METADATA)) w.u8(ok.metadataFollows === false ? 0 : 1);
  return w.finish();
}
