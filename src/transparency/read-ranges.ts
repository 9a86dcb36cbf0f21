/**
 * Turns a list of ranges into their MTHs with one batched read of stored nodes, so a SQL store
 * answers a whole proof with a single query.
 */
import { foldRange } from './fold-range.ts';
import { rangeNodes, type NodeId } from './tree-math.ts';

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Reads stored complete-subtree hashes, in the order asked. */
export type NodeReader = (ids: readonly NodeId[]) => Promise<Uint8Array[]>;

export async function readRanges(ranges: readonly Range[], readNodes: NodeReader): Promise<Uint8Array[]> {
  const perRange = ranges.map((r) => rangeNodes(r.start, r.end));
  const hashes = await readNodes(perRange.flat());
  const result: Uint8Array[] = [];
  let at = 0;
  for (const ids of perRange) {
    result.push(foldRange(hashes.slice(at, at + ids.length)));
    at += ids.length;
  }
  return result;
}
