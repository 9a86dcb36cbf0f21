/**
 * RFC 9162 §2.1.4.1: the consistency proof PROOF(m, D[n]) = SUBPROOF(m, D[n], true), 0 < m < n.
 *   SUBPROOF(m, D[m], true)  = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   m ≤ k:  SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
 *   m > k:  SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
 * For m = 0 or m = n the proof is empty (any tree extends the empty tree; a tree is consistent
 * with itself).
 */
import { readRanges, type NodeReader, type Range } from './read-ranges.ts';
import { largestPowerOfTwoBelow } from './tree-math.ts';

export function consistencyProofRanges(first: number, second: number): Range[] {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && 0 <= first && first <= second)) {
    throw new TypeError(`no consistency proof from ${first} to ${second}`);
  }
  if (first === 0 || first === second) return [];
  const outerFirst: Range[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let complete = true;
  for (;;) {
    if (m === end - start) {
      if (!complete) outerFirst.push({ start, end });
      break;
    }
    const k = largestPowerOfTwoBelow(end - start);
    if (m <= k) {
      outerFirst.push({ start: start + k, end });
      end = start + k;
    } else {
      outerFirst.push({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
  return outerFirst.reverse();
}

export function generateConsistencyProof(first: number, second: number, readNodes: NodeReader): Promise<Uint8Array[]> {
  return readRanges(consistencyProofRanges(first, second), readNodes);
}
