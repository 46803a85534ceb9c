import { PayloadReader, PayloadWriter } from './bytes.js';
import { CLIENT_QUERY_ATTRIBUTES, hasCaps } from './capabilities.js';
import { COM, CURSOR_TYPE } from './constants.js';
import { readParams, writeParams } from './params.js';
import type { BoundParam, ParamInput } from './params.js';
import type { ParamType } from './binary-values.js';

/**
 * "COM_STMT_EXECUTE": int<4> statement id, int<1> flags (enum_cursor_type), int<4> iteration
 * count (always 1), then the parameters. Their count is the statement's (from
 * COM_STMT_PREPARE_OK) — unless, under CLIENT_QUERY_ATTRIBUTES with PARAMETER_COUNT_AVAILABLE,
 * the client sends a count of its own, which adds named query attributes after the
 * statement's parameters.
 */

export interface StmtExecute {
  statementId: number;
  flags: number;
  iterationCount: number;
  /** The statement's parameters, then any query attributes. */
  params: BoundParam[];
  /** Whether the types were sent in this packet (the caller keeps them for the next execute). */
  newParamsBound: boolean;
}

/** What the caller knows of the statement from its prepare and earlier executes. */
export interface PreparedStatementInfo {
  paramCount: number;
  /** The types the last execute bound, for a packet that does not resend them. */
  types?: readonly ParamType[];
  /** Parameters that got COM_STMT_SEND_LONG_DATA since the last execute or reset. */
  longData?: ReadonlySet<number>;
}

export function decodeStmtExecute(payload: Buffer, caps: number, statement: PreparedStatementInfo): StmtExecute {
  const r = new PayloadReader(payload, 'COM_STMT_EXECUTE');
  if (r.u8() !== COM.STMT_EXECUTE) r.fail('not a COM_STMT_EXECUTE');
  const statementId = r.u32();
  const flags = r.u8();
  const iterationCount = r.u32();
  const attributes = hasCaps(caps, CLIENT_QUERY_ATTRIBUTES);
  let count = statement.paramCount;
  if (attributes && (flags & CURSOR_TYPE.PARAMETER_COUNT_AVAILABLE) !== 0) {
    count = r.lenenc();
    if (count < statement.paramCount) r.fail(`parameter_count ${count} is below the statement's ${statement.paramCount} parameters`);
  }
  let params: BoundParam[] = [];
  let newParamsBound = false;
  if (count > 0) {
    const read = readParams(r, count, { named: attributes, ...(statement.types ? { previousTypes: statement.types } : {}), ...(statement.longData ? { longData: statement.longData } : {}) });
    params = read.params;
    newParamsBound = read.newParamsBound;
  }
  r.end();
  return { statementId, flags, iterationCount, params, newParamsBound };
}

export function encodeStmtExecute(
  exec: { statementId: number; flags?: number; params: readonly ParamInput[]; sendTypes?: boolean },
  caps: number,
): Buffer {
  const attributes = hasCaps(caps, CLIENT_QUERY_ATTRIBUTES);
  let flags = exec.flags ?? CURSOR_TYPE.NO_CURSOR;
  // libmysql always sends the count when the server takes query attributes; so do we.
  if (attributes) flags |= CURSOR_TYPE.PARAMETER_COUNT_AVAILABLE;
  const w = new PayloadWriter(32).u8(COM.STMT_EXECUTE).u32(exec.statementId).u8(flags).u32(1);
  if (attributes) w.lenenc(exec.params.length);
  if (exec.params.length > 0) writeParams(w, exec.params, { named: attributes, sendTypes: exec.sendTypes ?? true });
  return w.finish();
}
