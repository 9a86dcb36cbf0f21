/**
 * MTH(D[n]) over leaf hashes, streaming (RFC 9162 §2.1.1). Keeps only the "compact range" — one
 * pending hash per level, at most log2(n)+1 — so an auditor can recompute the root of 10^8
 * entries in constant memory. Returns the same value as the recursive definition.
 */
import { emptyRoot, leafHash, nodeHash } from './hash.ts';

export class MerkleTreeHasher {
  /** Complete subtrees still waiting for a right sibling, largest first: [level, hash]. */
  readonly #stack: Array<{ level: number; hash: Uint8Array }> = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  addEntry(entry: Uint8Array): void {
    this.addLeafHash(leafHash(entry));
  }

  addLeafHash(hash: Uint8Array): void {
    let node = { level: 0, hash };
    while (this.#stack.length > 0 && this.#stack[this.#stack.length - 1]!.level === node.level) {
      const left = this.#stack.pop()!;
      node = { level: node.level + 1, hash: nodeHash(left.hash, node.hash) };
    }
    this.#stack.push(node);
    this.#size++;
  }

  /** The root of everything added so far. */
  root(): Uint8Array {
    if (this.#stack.length === 0) return emptyRoot();
    let acc = this.#stack[this.#stack.length - 1]!.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) acc = nodeHash(this.#stack[i]!.hash, acc);
    return acc;
  }
}

/** MTH over a list of entries (convenience for tests and small trees). */
export function merkleTreeHash(entries: Iterable<Uint8Array>): Uint8Array {
  const hasher = new MerkleTreeHasher();
  for (const entry of entries) hasher.addEntry(entry);
  return hasher.root();
}
