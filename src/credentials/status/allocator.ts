/**
 * Status-list index allocation. Credentials are sharded over lists of `listSize` entries (default
 * 1,000,000); a reference is (list id, index within the list). Indexes are handed out at random
 * among the unused ones of the open list, so an index says nothing about issuance order; a list is
 * filled before the next one opens, so each list hides its holders in a full herd.
 * The service implements StatusAllocator over SQL; MemoryStatusAllocator is for tests and demos.
 */
import type { RandomBytes } from '../deps.ts';
import { CredentialError } from '../errors.ts';
import { StatusBitset } from './bitset.ts';

export const DEFAULT_LIST_SIZE = 1_000_000;

export interface StatusReference {
  readonly listId: number;
  readonly index: number;
}

export interface StatusAllocator {
  /** `count` distinct, never used references. */
  allocate(count: number): Promise<StatusReference[]>;
}

/** A uniform random integer in [0, bound) from a random source (rejection sampling, no modulo bias). */
export function randomBelow(random: RandomBytes, bound: number): number {
  if (!Number.isSafeInteger(bound) || bound <= 0 || bound > 2 ** 32) throw new RangeError('bound must be in 1..2^32');
  const limit = Math.floor(2 ** 32 / bound) * bound;
  for (;;) {
    const b = random(4);
    const value = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    if (value < limit) return value % bound;
  }
}

interface ListState {
  readonly used: StatusBitset;
  readonly revoked: StatusBitset;
  usedCount: number;
}

export class MemoryStatusAllocator implements StatusAllocator {
  readonly listSize: number;
  readonly #random: RandomBytes;
  readonly #maxLists: number;
  readonly #lists = new Map<number, ListState>();
  #open = 0;

  constructor(options: { random: RandomBytes; listSize?: number; maxLists?: number }) {
    this.listSize = options.listSize ?? DEFAULT_LIST_SIZE;
    this.#random = options.random;
    this.#maxLists = options.maxLists ?? Number.MAX_SAFE_INTEGER;
  }

  async allocate(count: number): Promise<StatusReference[]> {
    const refs: StatusReference[] = [];
    for (let i = 0; i < count; i++) refs.push(this.#allocateOne());
    return refs;
  }

  /** Marks a credential revoked (status INVALID). */
  revoke(ref: StatusReference): void {
    this.#list(ref.listId).revoked.set(ref.index, 1);
  }

  /** The revocation bits of a list, as served in its status-list token. */
  revocations(listId: number): StatusBitset {
    return this.#list(listId).revoked;
  }

  #allocateOne(): StatusReference {
    for (;;) {
      if (this.#open >= this.#maxLists) throw CredentialError('status.allocator_exhausted');
      const state = this.#list(this.#open);
      if (state.usedCount < this.listSize) {
        const index = this.#pickFree(state);
        state.used.set(index, 1);
        state.usedCount++;
        return { listId: this.#open, index };
      }
      this.#open++;
    }
  }

  #pickFree(state: ListState): number {
    // Rejection sampling is fast while the list has room; near full, scan from a random start.
    for (let attempt = 0; attempt < 32; attempt++) {
      const index = randomBelow(this.#random, this.listSize);
      if (state.used.get(index) === 0) return index;
    }
    const start = randomBelow(this.#random, this.listSize);
    for (let k = 0; k < this.listSize; k++) {
      const index = (start + k) % this.listSize;
      if (state.used.get(index) === 0) return index;
    }
    throw new Error('unreachable: list reported room but has no free index');
  }

  #list(listId: number): ListState {
    let state = this.#lists.get(listId);
    if (!state) {
      state = { used: new StatusBitset(this.listSize), revoked: new StatusBitset(this.listSize), usedCount: 0 };
      this.#lists.set(listId, state);
    }
    return state;
  }
}
