import type { PayloadReader, PayloadWriter } from './bytes.js';
import { buildNullBitmap, isNullInBitmap, nullBitmapLength, readBinaryValue, writeBinaryValue } from './binary-values.js';
import type { BinaryInput, BinaryValue, ParamType } from './binary-values.js';

/**
 * Bound parameters as COM_STMT_EXECUTE (and COM_QUERY's query attributes) carry them: a NULL
 * bitmap (offset 0), the new-params-bound flag, then when set one type (int<1> type, int<1>
 * flags with 0x80 = unsigned) per parameter — each followed by its name under
 * CLIENT_QUERY_ATTRIBUTES — and the binary values of the non-NULL parameters
 * ("COM_STMT_EXECUTE", "Binary Protocol Value").
 */

/** A parameter whose value came earlier in COM_STMT_SEND_LONG_DATA packets, not in the execute packet. */
export interface LongDataValue {
  longData: true;
}

export interface BoundParam extends ParamType {
  /** The name of a query attribute (CLIENT_QUERY_ATTRIBUTES); empty or absent for positional parameters. */
  name?: string;
  value: BinaryValue | LongDataValue;
}

export interface ReadParamsOptions {
  /** Whether each type is followed by a name (CLIENT_QUERY_ATTRIBUTES). */
  named: boolean;
  /** The types bound by the previous execute of the statement, for a packet that does not send them again. */
  previousTypes?: readonly ParamType[];
  /** The parameters that received COM_STMT_SEND_LONG_DATA since the last execute or reset. */
  longData?: ReadonlySet<number>;
}

export function readParams(r: PayloadReader, count: number, options: ReadParamsOptions): { params: BoundParam[]; newParamsBound: boolean } {
  // Each parameter needs at least a bit in the bitmap and two type bytes, so a count beyond
  // the packet is refused before anything is allocated for it.
  if (count > r.remaining * 8) r.fail(`${count} parameters cannot fit ${r.remaining} bytes`);
  const bitmap = r.bytes(nullBitmapLength(count, 0));
  const newParamsBound = r.u8();
  if (newParamsBound > 1) r.fail(`new-params-bound flag ${newParamsBound}`);
  const types: (ParamType & { name?: string })[] = [];
  if (newParamsBound === 1) {
    for (let i = 0; i < count; i++) {
      const type = r.u8();
      const flags = r.u8();
      const t: ParamType & { name?: string } = { type, unsigned: (flags & 0x80) !== 0 };
      if (options.named) t.name = r.lenencString();
      types.push(t);
    }
  } else {
    if (!options.previousTypes || options.previousTypes.length < count) {
      r.fail('the parameter types were not sent and no earlier execute bound them');
    }
    for (let i = 0; i < count; i++) types.push({ type: options.previousTypes[i]!.type, unsigned: options.previousTypes[i]!.unsigned });
  }
  const params = types.map((t, i): BoundParam => {
    let value: BinaryValue | LongDataValue;
    if (isNullInBitmap(bitmap, i, 0)) value = null;
    else if (options.longData?.has(i)) value = { longData: true };
    else value = readBinaryValue(r, t.type, t.unsigned);
    return { ...t, value };
  });
  return { params, newParamsBound: newParamsBound === 1 };
}

/** A parameter to encode. */
export interface ParamInput extends ParamType {
  name?: string;
  value: BinaryInput;
}

export function writeParams(w: PayloadWriter, params: readonly ParamInput[], options: { named: boolean; sendTypes?: boolean }): void {
  w.bytes(buildNullBitmap(params.map((p) => p.value === null), 0));
  const send = options.sendTypes ?? true;
  w.u8(send ? 1 : 0);
  if (send) {
    for (const p of params) {
      w.u8(p.type).u8(p.unsigned ? 0x80 : 0);
      if (options.named) w.lenencBytes(p.name ?? '');
    }
  }
  for (const p of params) if (p.value !== null) writeBinaryValue(w, p.type, p.value);
}
