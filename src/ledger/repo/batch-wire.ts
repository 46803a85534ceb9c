import { Frontier } from '../merkle/index.js';
import type { AppendBatch, Appended } from './types.js';

/**
 * A group commit as one ArrayBuffer, for the hop to the SQLite writer thread. A structured
 * clone of the batch object costs per object (each row, each Buffer) and copies every 8 KiB
 * pool slab an entry's Buffer lives in; one buffer is written with plain copies here and
 * transferred without any copy (postMessage's transfer list).
 *
 * Layout, little-endian: the length in bytes of what follows, u32 (the buffer may be longer),
 * the entry count u32, the payload count u32; each entry: its length
 * u32, its bytes; each payload: offset (its entry's position in the batch) u32, salt length
 * u32, payload length u32 (UTF-8 bytes), the salt, the payload. Text (an entry given as text,
 * each payload) is encoded straight into its place and its length filled in after: the buffer
 * is sized for the worst case of UTF-8 (3 bytes per UTF-16 unit), which costs less than
 * measuring each text first.
 */
export function packBatch(batch: AppendBatch): ArrayBuffer {
  let size = 12;
  for (const e of batch.entries) size += 4 + (typeof e === 'string' ? e.length * 3 : e.length);
  for (const p of batch.payloads) size += 12 + p.salt.length + p.payload.length * 3;

  const out = Buffer.allocUnsafeSlow(size); // its own ArrayBuffer (not a pool slab): transferable
  let at = out.writeUInt32LE(batch.entries.length, 4);
  at = out.writeUInt32LE(batch.payloads.length, at);
  for (const e of batch.entries) {
    const length = typeof e === 'string' ? out.write(e, at + 4, 'utf8') : e.copy(out, at + 4);
    out.writeUInt32LE(length, at);
    at += 4 + length;
  }
  for (const p of batch.payloads) {
    at = out.writeUInt32LE(p.offset, at);
    at = out.writeUInt32LE(p.salt.length, at);
    const lengthAt = at;
    at += 4;
    at += p.salt.copy(out, at);
    const length = out.write(p.payload, at, 'utf8');
    out.writeUInt32LE(length, lengthAt);
    at += length;
  }
  out.writeUInt32LE(at - 4, 0);
  return out.buffer;
}

/** The batch a packBatch buffer holds; its Buffers are views of that buffer (no copies). */
export function unpackBatch(packed: ArrayBuffer): AppendBatch {
  const data = Buffer.from(packed, 4, Buffer.from(packed, 0, 4).readUInt32LE(0));
  let at = 0;
  const take = (length: number) => data.subarray(at, (at += length));
  const u32 = () => ((at += 4), data.readUInt32LE(at - 4));
  const entryCount = u32();
  const payloadCount = u32();
  const batch: AppendBatch = { entries: [], payloads: [] };
  for (let i = 0; i < entryCount; i++) batch.entries.push(take(u32()));
  for (let i = 0; i < payloadCount; i++) {
    const offset = u32();
    const saltLength = u32();
    const payloadLength = u32();
    const salt = take(saltLength);
    batch.payloads.push({ offset, salt, payload: take(payloadLength).toString('utf8') });
  }
  if (at !== data.length) throw new Error(`a packed batch of ${data.length} bytes held ${at} bytes of rows`);
  return batch;
}

/** A commit's answer from the writer thread: the tree's right edge as one transferable buffer of hashes. */
export interface PackedAppended {
  startIndex: number;
  size: number;
  hashes: ArrayBuffer;
  storeMs?: number;
}

const HASH_BYTES = 32;

export function packAppended({ startIndex, frontier, storeMs }: Appended): PackedAppended {
  const hashes = frontier.subtreeHashes();
  const out = Buffer.allocUnsafeSlow(hashes.length * HASH_BYTES);
  hashes.forEach((h, i) => h.copy(out, i * HASH_BYTES));
  return { startIndex, size: frontier.size, hashes: out.buffer, ...(storeMs !== undefined ? { storeMs } : {}) };
}

export function unpackAppended({ startIndex, size, hashes, storeMs }: PackedAppended): Appended {
  const data = Buffer.from(hashes);
  const list = Array.from({ length: data.length / HASH_BYTES }, (_, i) => data.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  return { startIndex, frontier: Frontier.fromSubtrees(size, list), ...(storeMs !== undefined ? { storeMs } : {}) };
}
