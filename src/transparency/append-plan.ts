/**
 * The hashes a batch of new entries adds to the tree. Appending m entries to a tree of n adds,
 * at each level L, the complete nodes [⌊n/2^(L+1)⌋, ⌊(n+m)/2^(L+1)⌋) of level L+1. Their right
 * children are always new; a left child is old at most once per level, so a batch needs at most
 * log2(n) stored nodes (the tree's right edge), read in one batch, and ~2m hashes.
 */
import { leafHash, nodeHash } from './hash.ts';
import type { StoredNode } from './log-store.ts';
import type { NodeReader } from './read-ranges.ts';
import type { NodeId } from './tree-math.ts';

/** The old nodes the batch combines with: one per level where the first new parent's left child is old. */
export function rightEdgeNeeded(oldSize: number, added: number): NodeId[] {
  const needed: NodeId[] = [];
  for (let level = 0, width = 1; ; level++, width *= 2) {
    const lo = Math.floor(oldSize / (width * 2));
    const hi = Math.floor((oldSize + added) / (width * 2));
    if (hi <= lo) break;
    const oldCount = Math.floor(oldSize / width);
    if (oldCount % 2 === 1) needed.push({ level, index: oldCount - 1 });
  }
  return needed;
}

export async function planAppend(oldSize: number, entries: readonly Uint8Array[], readNodes: NodeReader): Promise<StoredNode[]> {
  const added = entries.length;
  const needed = rightEdgeNeeded(oldSize, added);
  const edgeHashes = needed.length > 0 ? await readNodes(needed) : [];
  const edge = new Map(needed.map((id, i) => [id.level, edgeHashes[i]!]));

  const nodes: StoredNode[] = [];
  let current = entries.map(leafHash);
  let currentStart = oldSize;
  current.forEach((hash, i) => nodes.push({ level: 0, index: oldSize + i, hash }));
  for (let level = 0, width = 1; ; level++, width *= 2) {
    const lo = Math.floor(oldSize / (width * 2));
    const hi = Math.floor((oldSize + added) / (width * 2));
    if (hi <= lo) break;
    const next: Uint8Array[] = [];
    for (let i = lo; i < hi; i++) {
      const left = 2 * i >= currentStart ? current[2 * i - currentStart]! : edge.get(level)!;
      const right = current[2 * i + 1 - currentStart]!;
      const hash = nodeHash(left, right);
      next.push(hash);
      nodes.push({ level: level + 1, index: i, hash });
    }
    current = next;
    currentStart = lo;
  }
  return nodes;
}
