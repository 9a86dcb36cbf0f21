/**
 * A LogStore in process memory: each tree level is a list of tiles of 256 hashes in one buffer
 * (the C2SP tlog-tiles layout, extended to every level), entries are kept as given. Real enough
 * for the verifier tests and the benchmarks (10^6 entries ≈ 64 MB of hashes); the service uses
 * the SQL store.
 */
import { HASH_SIZE } from './hash.ts';
import { LogError } from './errors.ts';
import type { LeafBatch, LogStore, StoredCheckpoint } from './log-store.ts';
import type { NodeId } from './tree-math.ts';

const TILE_WIDTH = 256;

export class MemoryLogStore implements LogStore {
  /** levels[L][t] holds nodes t·256 … t·256+255 of level L. */
  readonly #levels: Uint8Array[][] = [];
  readonly #entries: Uint8Array[] = [];
  readonly #checkpoints: StoredCheckpoint[] = [];

  async size(): Promise<number> {
    return this.#entries.length;
  }

  async appendLeaves(batch: LeafBatch): Promise<void> {
    if (batch.startIndex !== this.#entries.length) throw LogError('log.conflict', { expected: this.#entries.length, got: batch.startIndex });
    for (const node of batch.nodes) {
      if (node.hash.length !== HASH_SIZE) throw new TypeError('node hashes are 32 bytes');
    }
    for (const node of batch.nodes) this.#writeNode(node.level, node.index, node.hash);
    for (const entry of batch.entries) this.#entries.push(entry.slice());
  }

  async getNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return ids.map(({ level, index }) => {
      const tile = this.#levels[level]?.[Math.floor(index / TILE_WIDTH)];
      if (!tile || index >= this.#nodeCount(level)) throw new TypeError(`missing node ${level}/${index}`);
      const at = (index % TILE_WIDTH) * HASH_SIZE;
      return tile.subarray(at, at + HASH_SIZE);
    });
  }

  /** A C2SP-style tile: the hashes of up to 256 consecutive nodes at a level. */
  async getTile(level: number, tileIndex: number): Promise<Uint8Array> {
    const count = Math.min(TILE_WIDTH, this.#nodeCount(level) - tileIndex * TILE_WIDTH);
    if (count <= 0) throw new TypeError(`missing tile ${level}/${tileIndex}`);
    return this.#levels[level]![tileIndex]!.slice(0, count * HASH_SIZE);
  }

  async getEntries(start: number, end: number): Promise<Uint8Array[]> {
    if (!(0 <= start && start <= end && end <= this.#entries.length)) throw new TypeError(`entries ${start}..${end} out of range`);
    return this.#entries.slice(start, end);
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    this.#checkpoints.push(checkpoint);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#checkpoints.at(-1);
  }

  #nodeCount(level: number): number {
    return Math.floor(this.#entries.length / 2 ** level);
  }

  #writeNode(level: number, index: number, hash: Uint8Array): void {
    const tiles = (this.#levels[level] ??= []);
    const tileIndex = Math.floor(index / TILE_WIDTH);
    const tile = (tiles[tileIndex] ??= new Uint8Array(TILE_WIDTH * HASH_SIZE));
    tile.set(hash, (index % TILE_WIDTH) * HASH_SIZE);
  }
}
