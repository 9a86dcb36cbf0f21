/**
 * Index arithmetic shared by proof generation and storage. A stored node is the hash of a
 * complete, aligned subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). Every hash that
 * RFC 9162's PATH and PROOF need is either such a node or the MTH of a range [start, end) whose
 * start is aligned to a power of two at least as large as the range; that MTH is a right fold of
 * at most log2(n) stored nodes. So a proof is O(log n) reads, never a recomputation of the tree.
 */

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** The largest power of two strictly smaller than n (n ≥ 2), as RFC 9162 §2.1.1 defines k. */
export function largestPowerOfTwoBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new TypeError(`largestPowerOfTwoBelow(${n})`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The stored nodes whose right fold is MTH(D[start:end]): the greedy split into the largest
 * aligned power-of-two subtrees, left to right. Requires start aligned as described above.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start < end)) {
    throw new TypeError(`rangeNodes(${start}, ${end})`);
  }
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let size = 1;
    let level = 0;
    while (at % (size * 2) === 0 && at + size * 2 <= end) {
      size *= 2;
      level++;
    }
    nodes.push({ level, index: at / size });
    at += size;
  }
  return nodes;
}

/** Number of complete nodes at a level for a tree of the given size. */
export function nodesAtLevel(treeSize: number, level: number): number {
  return Math.floor(treeSize / 2 ** level);
}
