/**
 * RFC 9162 §2.1.3.2: verifying an inclusion proof, step by step as the RFC writes it. Pure; the
 * independent verifier uses this file.
 */
import { equalHashes, HASH_SIZE, nodeHash } from './hash.ts';

/** Root implied by the proof, or undefined if the proof cannot be valid for these sizes. */
export function rootFromInclusionProof(leafIndex: number, treeSize: number, leaf: Uint8Array, path: readonly Uint8Array[]): Uint8Array | undefined {
  if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize))) return undefined;
  // 1. If leaf_index is greater than or equal to tree_size, then fail.
  if (leafIndex < 0 || leafIndex >= treeSize) return undefined;
  if (leaf.length !== HASH_SIZE || path.some((p) => p.length !== HASH_SIZE)) return undefined;
  // 2. Set fn to leaf_index and sn to tree_size - 1. (BigInt: sizes beyond 2^32 must not wrap.)
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize - 1);
  // 3. Set r to hash.
  let r = leaf;
  // 4. For each value p in the inclusion_path array:
  for (const p of path) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0n) return undefined;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      // If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      // Otherwise: set r to HASH(0x01 || r || p).
      r = nodeHash(r, p);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. Compare sn to 0.
  if (sn !== 0n) return undefined;
  return r;
}

/** True iff `path` proves that the leaf with hash `leaf` is at `leafIndex` in the tree with `root`. */
export function verifyInclusion(leafIndex: number, treeSize: number, leaf: Uint8Array, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(leafIndex, treeSize, leaf, path);
  return computed !== undefined && equalHashes(computed, root);
}
