/**
 * RFC 9162 §2.1 Merkle tree hashing, audit paths and consistency proofs, checked against the
 * Certificate Transparency reference vectors in test/vectors/rfc9162/ and against a direct,
 * recursive transcription of the RFC's definitions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { emptyRoot, leafHash, nodeHash } from '../../src/transparency/hash.ts';
import { merkleTreeHash } from '../../src/transparency/merkle-tree-hash.ts';
import { MemoryLogStore } from '../../src/transparency/memory-log-store.ts';
import { planAppend } from '../../src/transparency/append-plan.ts';
import { generateInclusionProof } from '../../src/transparency/inclusion-proof.ts';
import { generateConsistencyProof } from '../../src/transparency/consistency-proof.ts';
import { verifyInclusion } from '../../src/transparency/verify-inclusion.ts';
import { verifyConsistency } from '../../src/transparency/verify-consistency.ts';

const tree = JSON.parse(readFileSync(new URL('../vectors/rfc9162/merkle-tree-8.json', import.meta.url), 'utf8'));
const hashes = JSON.parse(readFileSync(new URL('../vectors/rfc9162/hashes.json', import.meta.url), 'utf8'));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leaves: Uint8Array[] = tree.leaves_hex.map(hex);

// The RFC's definitions, transcribed recursively (independent of the iterative production code).
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return emptyRoot();
  if (d.length === 1) return leafHash(d[0]!);
  return nodeHash(mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s ? [...path(m, d.slice(0, s)), mth(d.slice(s))] : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))] : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

async function storeWith(entries: Uint8Array[], batchSizes: number[]): Promise<MemoryLogStore> {
  const store = new MemoryLogStore();
  let at = 0;
  for (let i = 0; at < entries.length; i++) {
    const batch = entries.slice(at, at + (batchSizes[i % batchSizes.length] ?? 1));
    const nodes = await planAppend(at, batch, (ids) => store.getNodes(ids));
    await store.appendLeaves({ startIndex: at, entries: batch, nodes });
    at += batch.length;
  }
  return store;
}

describe('RFC 9162 hashing', () => {
  it('hashes the empty tree, leaves and nodes as the reference hasher does', () => {
    assert.equal(toHex(emptyRoot()), hashes.empty_root.want);
    for (const v of hashes.leaf_hashes) {
      const data = v.leaf_hex !== undefined ? hex(v.leaf_hex) : new TextEncoder().encode(v.leaf_utf8);
      assert.equal(toHex(leafHash(data)), v.want);
    }
    for (const v of hashes.node_hashes) {
      assert.equal(toHex(nodeHash(new TextEncoder().encode(v.left_utf8), new TextEncoder().encode(v.right_utf8))), v.want);
    }
  });

  it('computes the reference root for every size of the 8-leaf tree', () => {
    assert.equal(toHex(merkleTreeHash([])), tree.empty_tree_root);
    tree.roots_by_size.forEach((root: string, i: number) => {
      assert.equal(toHex(merkleTreeHash(leaves.slice(0, i + 1))), root, `size ${i + 1}`);
      assert.equal(toHex(mth(leaves.slice(0, i + 1))), root);
    });
  });
});

describe('RFC 9162 §2.1.3 inclusion proofs', () => {
  it('generates and verifies the reference audit paths', async () => {
    const store = await storeWith(leaves, [3, 1, 4]);
    for (const v of tree.inclusion_proofs) {
      const proof = await generateInclusionProof(v.leaf_index, v.tree_size, (ids) => store.getNodes(ids));
      assert.deepEqual(proof.map(toHex), v.path, `leaf ${v.leaf_index} of ${v.tree_size}`);
      const root = hex(tree.roots_by_size[v.tree_size - 1]);
      assert.equal(verifyInclusion(v.leaf_index, v.tree_size, leafHash(leaves[v.leaf_index]!), proof, root), true);
    }
  });

  it('rejects corrupted proofs, wrong indexes, sizes, leaves and roots', () => {
    const some = hex('abacaba000000000000000000000000000000000000000000060061e00123456');
    for (const v of tree.inclusion_proofs.filter((p: { path: string[] }) => p.path.length > 0)) {
      const root = hex(tree.roots_by_size[v.tree_size - 1]);
      const leaf = leafHash(leaves[v.leaf_index]!);
      const proof: Uint8Array[] = v.path.map(hex);
      const bad: Array<[number, number, Uint8Array, Uint8Array[], Uint8Array, string]> = [
        [v.leaf_index - 1, v.tree_size, leaf, proof, root, 'index - 1'],
        [v.leaf_index + 1, v.tree_size, leaf, proof, root, 'index + 1'],
        [v.leaf_index ^ 2, v.tree_size, leaf, proof, root, 'index ^ 2'],
        [v.leaf_index, v.tree_size * 2, leaf, proof, root, 'size * 2'],
        [v.leaf_index, Math.floor(v.tree_size / 2), leaf, proof, root, 'size / 2'],
        [v.leaf_index, v.tree_size, leafHash(new TextEncoder().encode('WrongLeaf')), proof, root, 'wrong leaf'],
        [v.leaf_index, v.tree_size, leaf, proof, emptyRoot(), 'empty root'],
        [v.leaf_index, v.tree_size, leaf, proof, some, 'random root'],
        [v.leaf_index, v.tree_size, leaf, [...proof, new Uint8Array()], root, 'trailing garbage'],
        [v.leaf_index, v.tree_size, leaf, [...proof, root], root, 'trailing root'],
        [v.leaf_index, v.tree_size, leaf, [new Uint8Array(), ...proof], root, 'preceding garbage'],
        [v.leaf_index, v.tree_size, leaf, [root, ...proof], root, 'preceding root'],
        [v.leaf_index, v.tree_size, leaf, proof.slice(0, -1), root, 'removed component'],
        [v.leaf_index, v.tree_size, leaf, [proof[0]!, some, ...proof.slice(1)], root, 'inserted component'],
      ];
      proof.forEach((_, i) => {
        const flipped = proof.map((p) => p.slice());
        flipped[i]![0]! ^= 8;
        bad.push([v.leaf_index, v.tree_size, leaf, flipped, root, `flipped bit in proof[${i}]`]);
      });
      for (const [index, size, l, p, r, desc] of bad) {
        assert.equal(verifyInclusion(index, size, l, p, r), false, `${desc} (leaf ${v.leaf_index} of ${v.tree_size})`);
      }
    }
  });

  it('matches the recursive PATH for every leaf of every tree up to 70 entries', async () => {
    const entries = Array.from({ length: 70 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
    const store = await storeWith(entries, [1, 5, 2, 13]);
    for (let n = 1; n <= 70; n++) {
      const root = mth(entries.slice(0, n));
      for (let m = 0; m < n; m++) {
        const proof = await generateInclusionProof(m, n, (ids) => store.getNodes(ids));
        assert.deepEqual(proof.map(toHex), path(m, entries.slice(0, n)).map(toHex), `PATH(${m}, D[${n}])`);
        assert.equal(verifyInclusion(m, n, leafHash(entries[m]!), proof, root), true);
      }
    }
  });
});

describe('RFC 9162 §2.1.4 consistency proofs', () => {
  it('generates and verifies the reference proofs', async () => {
    const store = await storeWith(leaves, [8]);
    for (const v of tree.consistency_proofs) {
      const proof = await generateConsistencyProof(v.first, v.second, (ids) => store.getNodes(ids));
      assert.deepEqual(proof.map(toHex), v.proof, `PROOF(${v.first}, D[${v.second}])`);
      assert.equal(verifyConsistency(v.first, v.second, hex(tree.roots_by_size[v.first - 1]), hex(tree.roots_by_size[v.second - 1]), proof), true);
    }
  });

  it('rejects corrupted proofs, wrong sizes and wrong or swapped roots', () => {
    for (const v of tree.consistency_proofs.filter((p: { proof: string[] }) => p.proof.length > 0)) {
      const r1 = hex(tree.roots_by_size[v.first - 1]);
      const r2 = hex(tree.roots_by_size[v.second - 1]);
      const proof: Uint8Array[] = v.proof.map(hex);
      const wrong = new TextEncoder().encode('WrongRoot');
      const bad: Array<[number, number, Uint8Array, Uint8Array, Uint8Array[], string]> = [
        [v.first - 1, v.second, r1, r2, proof, 'first - 1'],
        [v.first + 1, v.second, r1, r2, proof, 'first + 1'],
        [v.first ^ 2, v.second, r1, r2, proof, 'first ^ 2'],
        [v.first, v.second * 2, r1, r2, proof, 'second * 2'],
        [v.first, Math.floor(v.second / 2), r1, r2, proof, 'second / 2'],
        [v.first, v.second, wrong, r2, proof, 'wrong first root'],
        [v.first, v.second, r1, wrong, proof, 'wrong second root'],
        [v.first, v.second, r2, r1, proof, 'swapped roots'],
        [v.first, v.second, r1, r2, [], 'empty proof'],
        [v.first, v.second, r1, r2, [...proof, new Uint8Array()], 'trailing garbage'],
        [v.first, v.second, r1, r2, [...proof, r1], 'trailing first root'],
        [v.first, v.second, r1, r2, [...proof, r2], 'trailing second root'],
        [v.first, v.second, r1, r2, [new Uint8Array(), ...proof], 'preceding garbage'],
        [v.first, v.second, r1, r2, [r1, ...proof], 'preceding first root'],
        [v.first, v.second, r1, r2, [r2, ...proof], 'preceding second root'],
        [v.first, v.second, r1, r2, [proof[0]!, ...proof], 'preceding proof[0]'],
        [v.first, v.second, r1, r2, proof.slice(0, -1), 'truncated'],
      ];
      proof.forEach((_, i) => {
        const flipped = proof.map((p) => p.slice());
        flipped[i]![0]! ^= 16;
        bad.push([v.first, v.second, r1, r2, flipped, `flipped bit in proof[${i}]`]);
      });
      for (const [a, b, x, y, p, desc] of bad) assert.equal(verifyConsistency(a, b, x, y, p), false, `${desc} (${v.first}→${v.second})`);
    }
  });

  it('handles the trivial sizes as the reference verifier does', () => {
    const r1 = new TextEncoder().encode("don't care 1");
    const r2 = new TextEncoder().encode("don't care 2");
    const empty = emptyRoot();
    assert.equal(verifyConsistency(0, 0, r1, r1, []), true);
    assert.equal(verifyConsistency(0, 1, r1, r2, []), true);
    assert.equal(verifyConsistency(1, 1, r2, r2, []), true);
    assert.equal(verifyConsistency(0, 0, r1, r2, []), false);
    assert.equal(verifyConsistency(1, 1, r1, r2, []), false);
    assert.equal(verifyConsistency(1, 0, r1, r2, []), false);
    assert.equal(verifyConsistency(2, 1, r1, r2, []), false);
    assert.equal(verifyConsistency(1, 2, r1, r2, []), false);
    assert.equal(verifyConsistency(0, 0, empty, empty, [empty]), false);
    assert.equal(verifyConsistency(0, 1, empty, empty, [empty]), false);
    assert.equal(verifyConsistency(1, 1, empty, empty, [empty]), false);
  });

  it('matches the recursive PROOF for every pair of sizes up to 70 entries', async () => {
    const entries = Array.from({ length: 70 }, (_, i) => new TextEncoder().encode(`entry ${i}`));
    const store = await storeWith(entries, [7, 1, 30]);
    for (let n = 1; n <= 70; n++) {
      for (let m = 1; m < n; m++) {
        const proof = await generateConsistencyProof(m, n, (ids) => store.getNodes(ids));
        assert.deepEqual(proof.map(toHex), subproof(m, entries.slice(0, n), true).map(toHex), `PROOF(${m}, D[${n}])`);
        assert.equal(verifyConsistency(m, n, mth(entries.slice(0, m)), mth(entries.slice(0, n)), proof), true);
      }
    }
  });
});
