/**
 * StatusAllocator over SQL. Each allocated index is a row of `status_entries` keyed by
 * (list_id, idx), written with `ON CONFLICT DO NOTHING`, so two nodes drawing the same random
 * index cannot both get it: the loser draws again. Indexes are uniform among the free ones of
 * the open list while it has room; when random draws keep colliding (a nearly full list) the
 * allocator scans for free indexes from a random start; a list with none left is marked full and
 * the next one opens. No counter row is updated per issuance, so there is no hot row.
 *
 * Construct one per issuance (it carries the owner written on each row) with the transaction the
 * issuance runs in.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { RandomBytes } from '../deps.ts';
import { CredentialError } from '../errors.ts';
import { DEFAULT_LIST_SIZE, randomBelow, type StatusAllocator, type StatusReference } from '../status/allocator.ts';

/** Whose credentials the allocated entries are. */
export interface StatusOwner {
  readonly personId: string;
  readonly deviceRef: string | null;
  readonly batchId?: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

interface OpenList {
  readonly listId: number;
  readonly size: number;
}

/** Random draws per list before falling back to a scan. */
const RANDOM_ROUNDS = 6;

export class SqlStatusAllocator implements StatusAllocator {
  readonly #db: Kysely<Database>;
  readonly #random: RandomBytes;
  readonly #listSize: number;
  readonly #owner: StatusOwner & { readonly batchId: string };
  readonly #maxLists: number;

  constructor(deps: { db: Kysely<Database>; random: RandomBytes; owner: StatusOwner; listSize?: number; maxLists?: number }) {
    this.#db = deps.db;
    this.#random = deps.random;
    this.#listSize = deps.listSize ?? DEFAULT_LIST_SIZE;
    this.#owner = { ...deps.owner, batchId: deps.owner.batchId ?? randomUUID() };
    this.#maxLists = deps.maxLists ?? 2 ** 31 - 1;
  }

  get batchId(): string {
    return this.#owner.batchId;
  }

  async allocate(count: number): Promise<StatusReference[]> {
    const refs: StatusReference[] = [];
    while (refs.length < count) {
      const list = await this.#openList();
      const got = await this.#allocateIn(list, count - refs.length);
      refs.push(...got);
      if (refs.length < count) await this.#markFull(list.listId);
    }
    return refs;
  }

  /** Allocates up to `wanted` indexes in `list`; fewer only when the list has no free index left. */
  async #allocateIn(list: OpenList, wanted: number): Promise<StatusReference[]> {
    const taken: number[] = [];
    for (let round = 0; round < RANDOM_ROUNDS && taken.length < wanted; round++) {
      const candidates = new Set<number>();
      while (candidates.size < Math.min(wanted - taken.length, list.size)) candidates.add(randomBelow(this.#random, list.size));
      taken.push(...(await this.#insert(list.listId, [...candidates].filter((i) => !taken.includes(i)))));
    }
    while (taken.length < wanted) {
      const free = await this.#scanFree(list, wanted - taken.length);
      if (free.length === 0) break;
      taken.push(...(await this.#insert(list.listId, free)));
    }
    return taken.map((index) => ({ listId: list.listId, index }));
  }

  async #insert(listId: number, indexes: readonly number[]): Promise<number[]> {
    if (indexes.length === 0) return [];
    const o = this.#owner;
    const rows = await this.#db
      .insertInto('status_entries')
      .values(indexes.map((idx) => ({ list_id: listId, idx, person_id: o.personId, device_ref: o.deviceRef, batch_id: o.batchId, issued_at: o.issuedAt, expires_at: o.expiresAt, revoked_at: null, reason: null })))
      .onConflict((oc) => oc.columns(['list_id', 'idx']).doNothing())
      .returning('idx')
      .execute();
    return rows.map((r) => r.idx);
  }

  /** Free indexes of a nearly full list, from a random starting point (wrapping once). */
  async #scanFree(list: OpenList, wanted: number): Promise<number[]> {
    const start = randomBelow(this.#random, list.size);
    const found: number[] = [];
    for (const [from, to] of [[start, list.size - 1], [0, start - 1]] as const) {
      if (from > to || found.length >= wanted) continue;
      const rows = await sql<{ i: number }>`
        SELECT g.i::int AS i FROM generate_series(${from}::int, ${to}::int) AS g(i)
        WHERE NOT EXISTS (SELECT 1 FROM status_entries e WHERE e.list_id = ${list.listId} AND e.idx = g.i)
        ORDER BY g.i LIMIT ${wanted - found.length}`.execute(this.#db);
      found.push(...rows.rows.map((r) => Number(r.i)));
    }
    return found;
  }

  async #openList(): Promise<OpenList> {
    for (;;) {
      const open = await this.#db.selectFrom('status_lists').select(['list_id', 'size']).where('state', '=', 'open').orderBy('list_id').limit(1).executeTakeFirst();
      if (open) return { listId: open.list_id, size: open.size };
      const last = await this.#db.selectFrom('status_lists').select((eb) => eb.fn.max('list_id').as('max')).executeTakeFirst();
      const next = last?.max === null || last?.max === undefined ? 0 : Number(last.max) + 1;
      if (next >= this.#maxLists) throw CredentialError('status.allocator_exhausted');
      await this.#db
        .insertInto('status_lists')
        .values({ list_id: next, size: this.#listSize, state: 'open', created_at: this.#owner.issuedAt })
        .onConflict((oc) => oc.column('list_id').doNothing())
        .execute();
    }
  }

  async #markFull(listId: number): Promise<void> {
    await this.#db.updateTable('status_lists').set({ state: 'full' }).where('list_id', '=', listId).where('state', '=', 'open').execute();
  }
}
