/**
 * RFC 9162 §2.1.3.1: the audit path PATH(m, D[n]).
 *   PATH(0, {d0}) = {}
 *   m < k:  PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
 *   m ≥ k:  PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
 * The ranges are computed first, then read from storage in one batch (O(log n) nodes).
 */
import { readRanges, type NodeReader, type Range } from './read-ranges.ts';
import { largestPowerOfTwoBelow } from './tree-math.ts';

export function inclusionProofRanges(leafIndex: number, treeSize: number): Range[] {
  if (!(Number.isSafeInteger(leafIndex) && Number.isSafeInteger(treeSize) && 0 <= leafIndex && leafIndex < treeSize)) {
    throw new TypeError(`no inclusion proof for leaf ${leafIndex} in a tree of ${treeSize}`);
  }
  const outerFirst: Range[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start);
    if (leafIndex < start + k) {
      outerFirst.push({ start: start + k, end });
      end = start + k;
    } else {
      outerFirst.push({ start, end: start + k });
      start += k;
    }
  }
  return outerFirst.reverse();
}

export function generateInclusionProof(leafIndex: number, treeSize: number, readNodes: NodeReader): Promise<Uint8Array[]> {
  return readRanges(inclusionProofRanges(leafIndex, treeSize), readNodes);
}
