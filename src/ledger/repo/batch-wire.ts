import type { AppendBatch } from './types.js';

/**
 * A group commit as one ArrayBuffer, for the hop to the SQLite writer thread. A structured
 * clone of the batch object costs per object (each row, each Buffer) and copies every 8 KiB
 * pool slab an entry's Buffer lives in; one buffer is written with plain copies here and
 * transferred without any copy (postMessage's transfer list).
 *
 * Layout, little-endian: startIndex f64, then the three counts u32; each entry: index f64,
 * leaf hash length u32, entry length u32, the bytes; each node: level u32, index f64, hash
 * length u32, the hash; each payload: index f64, salt length u32, payload length u32 (UTF-8
 * bytes), the salt, the payload. Indexes are f64 because they may exceed 2^32.
 */
export function packBatch(batch: AppendBatch): ArrayBuffer {
  const payloadBytes = batch.payloads.map((p) => Buffer.byteLength(p.payload, 'utf8'));
  let size = 8 + 12;
  for (const e of batch.entries) size += 16 + e.leafHash.length + e.entry.length;
  for (const n of batch.nodes) size += 16 + n.hash.length;
  batch.payloads.forEach((p, i) => (size += 16 + p.salt.length + payloadBytes[i]!));

  const out = Buffer.allocUnsafeSlow(size); // its own ArrayBuffer (not a pool slab): transferable
  let at = out.writeDoubleLE(batch.startIndex, 0);
  at = out.writeUInt32LE(batch.entries.length, at);
  at = out.writeUInt32LE(batch.nodes.length, at);
  at = out.writeUInt32LE(batch.payloads.length, at);
  for (const e of batch.entries) {
    at = out.writeDoubleLE(e.index, at);
    at = out.writeUInt32LE(e.leafHash.length, at);
    at = out.writeUInt32LE(e.entry.length, at);
    at += e.leafHash.copy(out, at);
    at += e.entry.copy(out, at);
  }
  for (const n of batch.nodes) {
    at = out.writeUInt32LE(n.level, at);
    at = out.writeDoubleLE(n.index, at);
    at = out.writeUInt32LE(n.hash.length, at);
    at += n.hash.copy(out, at);
  }
  batch.payloads.forEach((p, i) => {
    at = out.writeDoubleLE(p.index, at);
    at = out.writeUInt32LE(p.salt.length, at);
    at = out.writeUInt32LE(payloadBytes[i]!, at);
    at += p.salt.copy(out, at);
    at += out.write(p.payload, at, 'utf8');
  });
  return out.buffer;
}

/** The batch a packBatch buffer holds; its Buffers are views of that buffer (no copies). */
export function unpackBatch(packed: ArrayBuffer): AppendBatch {
  const data = Buffer.from(packed);
  const take = (length: number) => data.subarray(at, (at += length));
  let at = 0;
  const startIndex = data.readDoubleLE(at);
  const [entryCount, nodeCount, payloadCount] = [data.readUInt32LE(8), data.readUInt32LE(12), data.readUInt32LE(16)];
  at = 20;
  const batch: AppendBatch = { startIndex, entries: [], nodes: [], payloads: [] };
  for (let i = 0; i < entryCount; i++) {
    const index = data.readDoubleLE(at);
    const hashLength = data.readUInt32LE(at + 8);
    const entryLength = data.readUInt32LE(at + 12);
    at += 16;
    batch.entries.push({ index, leafHash: take(hashLength), entry: take(entryLength) });
  }
  for (let i = 0; i < nodeCount; i++) {
    const level = data.readUInt32LE(at);
    const index = data.readDoubleLE(at + 4);
    const hashLength = data.readUInt32LE(at + 12);
    at += 16;
    batch.nodes.push({ level, index, hash: take(hashLength) });
  }
  for (let i = 0; i < payloadCount; i++) {
    const index = data.readDoubleLE(at);
    const saltLength = data.readUInt32LE(at + 8);
    const payloadLength = data.readUInt32LE(at + 12);
    at += 16;
    const salt = take(saltLength);
    batch.payloads.push({ index, salt, payload: take(payloadLength).toString('utf8') });
  }
  if (at !== data.length) throw new Error(`a packed batch of ${data.length} bytes held ${at} bytes of rows`);
  return batch;
}
