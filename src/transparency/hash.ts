/**
 * RFC 9162 §2.1.1 hashing: the Merkle Tree Hash uses SHA-256 with one-byte domain separation
 * between leaves (0x00) and interior nodes (0x01), so a leaf can never be mistaken for a node.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256() — the hash of an empty tree. */
export function emptyRoot(): Uint8Array {
  return createHash('sha256').digest();
}

export function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
