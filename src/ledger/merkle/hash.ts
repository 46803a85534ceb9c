import { createHash } from 'node:crypto';

// RFC 9162 §2.1.1: domain separation between leaves (0x00) and interior nodes (0x01), so a
// leaf can never be passed off as a node (second-preimage resistance).
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d0}) = SHA-256(0x00 ‖ d0) — RFC 9162 §2.1.1. */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 ‖ left ‖ right) — RFC 9162 §2.1.1. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256() — the hash of the empty string, RFC 9162 §2.1.1. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();
