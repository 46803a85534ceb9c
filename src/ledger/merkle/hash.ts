import { createHash, hash } from 'node:crypto';

// RFC 9162 §2.1.1 hashes leaves and interior nodes with different one-byte prefixes (0x00 and
// 0x01), so that no leaf can be passed off as an interior node or the other way round
// (second-preimage resistance, §2.1.1 and RFC 6962 §2.1).
//
// Speed: these sit on the append hot path. Measured on Node 20 (32-byte inputs): the one-shot
// crypto.hash over a reused scratch buffer does ~0.85–0.94 M ops/s, a Hash object fed with
// update(prefix).update(x) ~0.45–0.6 M ops/s, crypto.hash over Buffer.concat ~0.72–0.77 M ops/s.
// So both functions copy their input behind the prefix into a module-level scratch buffer and
// hash it in one call. This is safe because crypto.hash is synchronous and the scratch buffers
// never leave this module (nothing can alias or observe them); every call returns a fresh Buffer.
// The digest is asked for as a latin1 ('binary') string (one character per byte, so exactly the 32 bytes)
// and copied into a Buffer from Node's pool: a 'buffer' digest gets an ArrayBuffer of its
// own, and that allocation cost more than the hash (Node 20, 65- and 700-byte inputs:
// ~1.4 µs against ~2.1 µs per call, on a machine where both were slow).

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/**
 * Entries up to this many bytes are hashed through the scratch buffer; longer ones are streamed
 * through a Hash object instead (at 16 KiB both cost the same, and this bounds the memory kept).
 */
const LEAF_SCRATCH_MAX = 16 * 1024;
const leafInput = Buffer.alloc(1 + LEAF_SCRATCH_MAX, 0x00); // byte 0 stays 0x00 forever
const nodeInput = Buffer.alloc(1 + 32 + 32, 0x01); // byte 0 stays 0x01 forever

/** SHA-256(0x00 ‖ entry) as a latin1 string, for an entry of at most LEAF_SCRATCH_MAX bytes. */
function shortLeafDigest(entry: Uint8Array): string {
  leafInput.set(entry, 1);
  return hash('sha256', leafInput.subarray(0, 1 + entry.length), 'binary');
}

/** SHA-256(0x01 ‖ the 64 bytes of `pair` from `at`) as a latin1 string: two 32-byte hashes side by side. */
function nodeDigest(pair: Uint8Array, at: number): string {
  nodeInput.set(pair.subarray(at, at + 64), 1);
  return hash('sha256', nodeInput, 'binary');
}

/** MTH({d0}) = SHA-256(0x00 ‖ d0) — the hash of a one-entry tree, RFC 9162 §2.1.1. */
export function leafHash(entry: Uint8Array): Buffer {
  if (entry.length > LEAF_SCRATCH_MAX) return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
  return Buffer.from(shortLeafDigest(entry), 'latin1');
}

/**
 * SHA-256(0x01 ‖ left ‖ right) — the interior node over two subtree hashes, RFC 9162 §2.1.1:
 * MTH(D_n) = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])).
 * Any lengths are accepted (a verifier may be handed malformed proof elements); only the
 * 32-byte case, the only one an honest tree produces, takes the fast path.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return Buffer.from(hash('sha256', nodeInput, 'binary'), 'latin1');
}

/**
 * leafHash(entry) written into `out` at `at`: verification hashes every entry of the log, and
 * a Buffer per hash cost more than the hash.
 */
export function leafHashInto(entry: Uint8Array, out: Buffer, at: number): void {
  if (entry.length > LEAF_SCRATCH_MAX) leafHash(entry).copy(out, at);
  else out.write(shortLeafDigest(entry), at, 'latin1');
}

/** Room for the leaves of a perfect subtree hashed in place (perfectRootInto). */
const perfectScratch = Buffer.alloc(32 * 256);

/**
 * MTH over `count` leaf hashes lying back to back in `leaves` from `at`, where count is a power
 * of two up to 256, written into `out` at `outAt`. For a perfect tree the split point is always
 * the middle (RFC 9162 §2.1.1), so the tree is folded level by level in a scratch buffer,
 * each pair replaced by its nodeHash, with no Buffer per node.
 */
export function perfectRootInto(leaves: Uint8Array, at: number, count: number, out: Buffer, outAt: number): void {
  if (!(count >= 1 && count <= 256 && (count & (count - 1)) === 0)) throw new RangeError(`${count} leaves are not a perfect subtree this can fold`);
  perfectScratch.set(leaves.subarray(at, at + count * 32), 0);
  for (let n = count; n > 1; n >>= 1) {
    for (let i = 0; i < n; i += 2) perfectScratch.write(nodeDigest(perfectScratch, i * 32), i * 16, 'latin1');
  }
  perfectScratch.copy(out, outAt, 0, 32);
}

/**
 * MTH({}) = SHA-256() — the root of the empty tree is the hash of the empty string,
 * RFC 9162 §2.1.1 (e3b0c442…b855). Shared: callers must not write into it.
 */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();
