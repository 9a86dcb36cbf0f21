/**
 * RFC 9162 §2.1.4.2: verifying a consistency proof between tree sizes first ≤ second, step by
 * step as the RFC writes it. Pure; the independent verifier uses this file.
 */
import { equalHashes, HASH_SIZE, nodeHash } from './hash.ts';

export function verifyConsistency(first: number, second: number, firstHash: Uint8Array, secondHash: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second)) || first < 0 || second < first) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  // Trivial cases (RFC 9162 §2.1.4.2 assumes 0 < first < second): a tree is consistent with
  // itself when the roots are equal, and every tree extends the empty tree; the proof is empty.
  if (first === second) return proof.length === 0 && equalHashes(firstHash, secondHash);
  if (first === 0) return proof.length === 0;
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const big = BigInt(first);
  const path = (big & (big - 1n)) === 0n ? [firstHash, ...proof] : [...proof];
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6. For each subsequent value c in the consistency_path array:
  for (const c of path.slice(1)) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0n) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      // If LSB(fn) is not set, right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      // Otherwise: set sr to HASH(0x01 || sr || c).
      sr = nodeHash(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7. fr equals first_hash, sr equals second_hash, and sn is 0.
  return sn === 0n && equalHashes(fr, firstHash) && equalHashes(sr, secondHash);
}
