/**
 * MTH of a range from its stored nodes (see tree-math.ts): RFC 9162 splits D[start:end] at the
 * largest power of two below its size, the left part is complete and the right part recurses, so
 * the hash is node(h0, node(h1, … node(h_{m-2}, h_{m-1}))) — a right fold.
 */
import { nodeHash } from './hash.ts';

export function foldRange(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length === 0) throw new TypeError('foldRange of no hashes');
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}
