/**
 * The transparency log service for one origin (one shard or epoch of the log). It is a
 * sequencer: concurrent append() calls are queued and written as one batch (one tree update),
 * and checkpoint() signs whatever the tree holds, so many entries share a tree update and a
 * signature. Run one sequencer per origin; the store rejects a batch that does not start at its
 * current size (log.conflict), so two writers can never interleave a tree.
 */
import type { SigningKey } from '../keys/key-store.ts';
import { planAppend } from './append-plan.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { generateConsistencyProof } from './consistency-proof.ts';
import { encodeLogEvent, type LogEvent } from './entry.ts';
import { LogError } from './errors.ts';
import { emptyRoot } from './hash.ts';
import { generateInclusionProof } from './inclusion-proof.ts';
import type { LogStore, StoredCheckpoint } from './log-store.ts';
import { noteSignerFromSigningKey, signNote, type NoteSigner } from './note/sign-note.ts';
import { formatVerifierKey } from './note/verifier-key.ts';
import { readRanges } from './read-ranges.ts';

export interface TransparencyLogDeps {
  /** The log's identity, also its note key name, e.g. `netid.example/log/2025`. */
  readonly origin: string;
  readonly store: LogStore;
  /** An EdDSA key from the key store. */
  readonly signingKey: SigningKey;
  readonly clock: () => Date;
  /** Largest number of entries written in one tree update (default 10 000). */
  readonly maxBatch?: number;
}

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly hashes: Uint8Array[];
}

export interface ConsistencyProof {
  readonly first: number;
  readonly second: number;
  readonly hashes: Uint8Array[];
}

interface Pending {
  readonly entries: readonly Uint8Array[];
  readonly resolve: (indexes: number[]) => void;
  readonly reject: (error: unknown) => void;
}

const MAX_ENTRIES_PER_READ = 1000;

export class TransparencyLog {
  readonly origin: string;
  readonly #store: LogStore;
  readonly #signer: NoteSigner;
  readonly #clock: () => Date;
  readonly #maxBatch: number;
  readonly #queue: Pending[] = [];
  #flushing = false;

  constructor(deps: TransparencyLogDeps) {
    this.origin = deps.origin;
    this.#store = deps.store;
    this.#signer = noteSignerFromSigningKey(deps.origin, deps.signingKey);
    this.#clock = deps.clock;
    this.#maxBatch = deps.maxBatch ?? 10_000;
  }

  /** The key anyone needs to verify this log's checkpoints, in the C2SP verifier-key form. */
  verifierKey(): string {
    return formatVerifierKey(this.#signer.name, this.#signer.publicKey);
  }

  /** Appends entries (bytes); resolves to their indexes once they are in the tree. */
  append(entries: readonly Uint8Array[]): Promise<number[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  /** Encodes accountable events as canonical JSON and appends them. */
  appendEvents(events: readonly LogEvent[]): Promise<number[]> {
    return this.append(events.map(encodeLogEvent));
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch: Pending[] = [];
        let count = 0;
        while (this.#queue.length > 0 && (batch.length === 0 || count + this.#queue[0]!.entries.length <= this.#maxBatch)) {
          const next = this.#queue.shift()!;
          batch.push(next);
          count += next.entries.length;
        }
        try {
          let at = await this.#write(batch.flatMap((p) => p.entries));
          for (const pending of batch) {
            pending.resolve(pending.entries.map((_, i) => at + i));
            at += pending.entries.length;
          }
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #write(entries: readonly Uint8Array[]): Promise<number> {
    const start = await this.#store.size();
    const nodes = await planAppend(start, entries, (ids) => this.#store.getNodes(ids));
    await this.#store.appendLeaves({ startIndex: start, entries, nodes });
    return start;
  }

  async size(): Promise<number> {
    return this.#store.size();
  }

  /** MTH of the first treeSize entries, from O(log n) stored nodes. */
  async rootAt(treeSize: number): Promise<Uint8Array> {
    await this.#checkSize(treeSize);
    if (treeSize === 0) return emptyRoot();
    const [root] = await readRanges([{ start: 0, end: treeSize }], (ids) => this.#store.getNodes(ids));
    return root!;
  }

  /** Signs and stores a checkpoint of the current tree. */
  async checkpoint(): Promise<StoredCheckpoint> {
    const treeSize = await this.#store.size();
    const previous = await this.#store.latestCheckpoint();
    if (previous && previous.treeSize > treeSize) throw LogError('log.conflict', { reason: 'store is behind its last checkpoint' });
    const rootHash = await this.rootAt(treeSize);
    const timestamp = Math.max(this.#clock().getTime(), previous?.timestamp ?? 0);
    const note = await signNote(formatCheckpoint({ origin: this.origin, treeSize, rootHash, timestamp, extensions: [] }), [this.#signer]);
    const checkpoint = { treeSize, rootHash, timestamp, note };
    await this.#store.putCheckpoint(checkpoint);
    return checkpoint;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#store.latestCheckpoint();
  }

  async inclusionProof(leafIndex: number, treeSize: number): Promise<InclusionProof> {
    await this.#checkSize(treeSize);
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) throw LogError('log.bad_request', { leafIndex, treeSize });
    return { leafIndex, treeSize, hashes: await generateInclusionProof(leafIndex, treeSize, (ids) => this.#store.getNodes(ids)) };
  }

  async consistencyProof(first: number, second: number): Promise<ConsistencyProof> {
    await this.#checkSize(second);
    if (!Number.isSafeInteger(first) || first < 0 || first > second) throw LogError('log.bad_request', { first, second });
    return { first, second, hashes: await generateConsistencyProof(first, second, (ids) => this.#store.getNodes(ids)) };
  }

  /** Entries [start, end); at most 1000 per call (the answer may be shorter than asked). */
  async entries(start: number, end: number): Promise<Uint8Array[]> {
    const size = await this.#store.size();
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start || start >= size) {
      throw LogError('log.bad_request', { start, end, size });
    }
    return this.#store.getEntries(start, Math.min(end, size, start + MAX_ENTRIES_PER_READ));
  }

  async #checkSize(treeSize: number): Promise<void> {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0 || treeSize > (await this.#store.size())) throw LogError('log.bad_request', { treeSize });
  }
}
