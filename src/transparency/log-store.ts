/**
 * Storage behind one transparency log (one origin: one shard or epoch). The log keeps every
 * complete-subtree hash (level L, index i covers leaves [i·2^L, (i+1)·2^L)), about 2n hashes for
 * n entries, so any proof is one batched read of O(log n) nodes. A level read in runs of 256 is a
 * C2SP tlog-tiles tile. MemoryLogStore implements it in process; the SQL store (storage/) keeps
 * the same contract with rows (log_id, level, index, hash).
 */
import type { NodeId } from './tree-math.ts';

export interface StoredNode extends NodeId {
  readonly hash: Uint8Array;
}

export interface StoredCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** Milliseconds since the epoch, as in the note's timestamp line. */
  readonly timestamp: number;
  /** The signed note, verbatim as served. */
  readonly note: string;
}

export interface LeafBatch {
  /** Index of the first entry: must equal the store's size, else the append fails (log.conflict). */
  readonly startIndex: number;
  readonly entries: readonly Uint8Array[];
  /** Every complete-subtree hash that the batch completes, leaves included. */
  readonly nodes: readonly StoredNode[];
}

export interface LogStore {
  /** Number of entries stored. */
  size(): Promise<number>;
  /** Stores a batch atomically: all of it or nothing. */
  appendLeaves(batch: LeafBatch): Promise<void>;
  /** Stored hashes in the order asked; throws if one is missing. */
  getNodes(ids: readonly NodeId[]): Promise<Uint8Array[]>;
  /** Entries [start, end), end ≤ size. */
  getEntries(start: number, end: number): Promise<Uint8Array[]>;
  putCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
}
