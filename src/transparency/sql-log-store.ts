/**
 * The LogStore on PostgreSQL (PGlite or a server) through kysely: rows (log_id, idx, entry),
 * (log_id, level, idx, hash) and signed checkpoints, plus the outbox accountable events are
 * written to (migration 0005). Every write that changes the tree locks the log's row in
 * log_heads (SELECT … FOR UPDATE), so two nodes appending at once are serialised and a batch
 * that does not start at the current size is refused with log.conflict — the tree can never be
 * interleaved. A checkpoint smaller than one already stored is refused the same way, so a slow
 * node can never publish a rollback.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { planAppend } from './append-plan.ts';
import { LogError } from './errors.ts';
import type { LeafBatch, LogStore, StoredCheckpoint, StoredNode } from './log-store.ts';
import type { NodeId } from './tree-math.ts';

/** Rows per INSERT (arrays through unnest, so one statement whatever the count). */
const INSERT_CHUNK = 20_000;

export class SqlLogStore implements LogStore {
  readonly logId: string;
  readonly #db: Kysely<Database>;
  readonly #clock: () => Date;

  constructor(deps: { db: Kysely<Database>; logId: string; clock?: () => Date }) {
    this.#db = deps.db;
    this.logId = deps.logId;
    this.#clock = deps.clock ?? (() => new Date());
  }

  async size(): Promise<number> {
    const row = await this.#db.selectFrom('log_heads').select('size').where('log_id', '=', this.logId).executeTakeFirst();
    return row ? Number(row.size) : 0;
  }

  async appendLeaves(batch: LeafBatch): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const size = await this.#lockHead(trx);
      if (batch.startIndex !== size) throw LogError('log.conflict', { expected: size, got: batch.startIndex });
      await this.#write(trx, size, batch.entries, batch.nodes);
    });
  }

  async getNodes(ids: readonly NodeId[]): Promise<Uint8Array[]> {
    return this.#readNodes(this.#db, ids);
  }

  async getEntries(start: number, end: number): Promise<Uint8Array[]> {
    if (start === end) return [];
    const rows = await this.#db.selectFrom('log_entries').select(['idx', 'entry']).where('log_id', '=', this.logId).where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
    // The caller checked the range against the stored size: a gap is a row removed behind netid's back.
    if (rows.length !== end - start) throw LogError('log.entry_missing', { start, end, found: rows.length });
    return rows.map((r) => new Uint8Array(r.entry));
  }

  async putCheckpoint(checkpoint: StoredCheckpoint): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const size = await this.#lockHead(trx);
      if (checkpoint.treeSize > size) throw LogError('log.conflict', { reason: 'checkpoint beyond the stored tree' });
      const latest = await this.#latest(trx);
      if (latest && (latest.treeSize > checkpoint.treeSize || latest.timestamp > checkpoint.timestamp)) {
        throw LogError('log.conflict', { reason: 'a newer checkpoint is already stored', stored: latest.treeSize, given: checkpoint.treeSize });
      }
      await trx
        .insertInto('log_checkpoints')
        .values({ log_id: this.logId, size: checkpoint.treeSize, root_hash: checkpoint.rootHash, timestamp_ms: checkpoint.timestamp, note: checkpoint.note, created_at: this.#clock() })
        .execute();
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.#latest(this.#db);
  }

  /**
   * Moves up to maxBatch events from the outbox into the tree in one transaction (the head row
   * locked, the tree extended, the outbox rows deleted), so each event is in the log exactly once.
   * Returns the index of the first appended entry and how many were appended.
   */
  async appendPending(maxBatch = 10_000): Promise<{ start: number; count: number }> {
    return this.#db.transaction().execute(async (trx) => {
      const size = await this.#lockHead(trx);
      const pending = await trx.selectFrom('log_outbox').select(['seq', 'entry']).where('log_id', '=', this.logId).orderBy('seq').limit(maxBatch).execute();
      if (pending.length === 0) return { start: size, count: 0 };
      const entries = pending.map((p) => new Uint8Array(p.entry));
      const nodes = await planAppend(size, entries, (ids) => this.#readNodes(trx, ids));
      await this.#write(trx, size, entries, nodes);
      await trx.deleteFrom('log_outbox').where('log_id', '=', this.logId).where('seq', 'in', pending.map((p) => Number(p.seq))).execute();
      return { start: size, count: entries.length };
    });
  }

  /** Queues an encoded entry; pass the caller's transaction so the event commits with the act. */
  async enqueue(entries: readonly Uint8Array[], trx?: Kysely<Database>): Promise<void> {
    if (entries.length === 0) return;
    const now = this.#clock();
    await (trx ?? this.#db).insertInto('log_outbox').values(entries.map((entry) => ({ log_id: this.logId, entry, created_at: now }))).execute();
  }

  async pendingCount(): Promise<number> {
    const row = await this.#db.selectFrom('log_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('log_id', '=', this.logId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async #lockHead(trx: Kysely<Database>): Promise<number> {
    await trx.insertInto('log_heads').values({ log_id: this.logId, size: 0 }).onConflict((oc) => oc.column('log_id').doNothing()).execute();
    const row = await trx.selectFrom('log_heads').select('size').where('log_id', '=', this.logId).forUpdate().executeTakeFirstOrThrow();
    return Number(row.size);
  }

  async #write(trx: Kysely<Database>, size: number, entries: readonly Uint8Array[], nodes: readonly StoredNode[]): Promise<void> {
    for (let at = 0; at < entries.length; at += INSERT_CHUNK) {
      const chunk = entries.slice(at, at + INSERT_CHUNK);
      const idxs = chunk.map((_, i) => size + at + i);
      const hexes = chunk.map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('hex'));
      await sql`INSERT INTO log_entries (log_id, idx, entry) SELECT ${this.logId}, i, decode(h, 'hex') FROM unnest(${idxs}::bigint[], ${hexes}::text[]) AS u(i, h)`.execute(trx);
    }
    for (let at = 0; at < nodes.length; at += INSERT_CHUNK) {
      const chunk = nodes.slice(at, at + INSERT_CHUNK);
      const levels = chunk.map((n) => n.level);
      const idxs = chunk.map((n) => n.index);
      const hexes = chunk.map((n) => Buffer.from(n.hash.buffer, n.hash.byteOffset, n.hash.byteLength).toString('hex'));
      await sql`INSERT INTO log_nodes (log_id, level, idx, hash) SELECT ${this.logId}, l, i, decode(h, 'hex') FROM unnest(${levels}::int[], ${idxs}::bigint[], ${hexes}::text[]) AS u(l, i, h)`.execute(trx);
    }
    await trx.updateTable('log_heads').set({ size: size + entries.length }).where('log_id', '=', this.logId).execute();
  }

  async #readNodes(db: Kysely<Database>, ids: readonly NodeId[]): Promise<Uint8Array[]> {
    if (ids.length === 0) return [];
    const levels = ids.map((id) => id.level);
    const idxs = ids.map((id) => id.index);
    const rows = await sql<{ level: number; idx: number | string; hash: Uint8Array }>`SELECT n.level, n.idx, n.hash FROM log_nodes n JOIN unnest(${levels}::int[], ${idxs}::bigint[]) AS w(l, i) ON n.level = w.l AND n.idx = w.i WHERE n.log_id = ${this.logId}`.execute(db);
    const found = new Map(rows.rows.map((r) => [`${r.level}/${Number(r.idx)}`, r.hash]));
    return ids.map(({ level, index }) => {
      const hash = found.get(`${level}/${index}`);
      if (!hash) throw LogError('log.entry_missing', { node: `${level}/${index}` });
      return new Uint8Array(hash);
    });
  }

  async #latest(db: Kysely<Database>): Promise<StoredCheckpoint | undefined> {
    const row = await db
      .selectFrom('log_checkpoints')
      .select(['size', 'root_hash', 'timestamp_ms', 'note'])
      .where('log_id', '=', this.logId)
      .orderBy('size', 'desc')
      .orderBy('timestamp_ms', 'desc')
      .orderBy('checkpoint_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { treeSize: Number(row.size), rootHash: new Uint8Array(row.root_hash), timestamp: Number(row.timestamp_ms), note: row.note } : undefined;
  }
}
