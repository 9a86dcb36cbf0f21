/**
 * The person's activity feed: every sign-in, disclosure (claim names, never values), device
 * change, consent, revocation and authority notice, where the person can see it. Entries can be
 * made visible later (a deferred authority notice) but never hidden for longer than recorded.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface ActivityEntry {
  readonly activityId: string;
  readonly occurredAt: Date;
  readonly type: string;
  readonly relyingPartyId: string | null;
  readonly details: Record<string, unknown>;
}

/** An activity record without its id: what an authority's approved records scope releases. */
export type ActivityRecord = Omit<ActivityEntry, 'activityId'>;

/** Which still-hidden entries to reschedule: those with `details[detail] = equals`, occurred since `occurredSince`. */
export interface HiddenEntryMatch {
  readonly detail: string;
  readonly equals: string;
  /** Lower bound on occurred_at: keeps the update on the partitions that can hold the entries. */
  readonly occurredSince: Date;
}

export interface WindowOptions {
  /** A LIKE pattern of types to leave out (e.g. `authority.%`). */
  readonly excludeTypesLike?: string;
}

export interface NewActivity {
  readonly personId: string;
  readonly type: string;
  readonly occurredAt: Date;
  readonly relyingPartyId?: string | null;
  /** Names, codes and references only — never identity values. */
  readonly details?: Record<string, unknown>;
  /** Defaults to occurredAt; later for a deferred notice. */
  readonly visibleFrom?: Date;
}

export class ActivityRepository {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  async record(entry: NewActivity, trx?: Kysely<Database>): Promise<string> {
    const activityId = randomUUID();
    await (trx ?? this.#db)
      .insertInto('activity')
      .values({
        person_id: entry.personId,
        activity_id: activityId,
        occurred_at: entry.occurredAt,
        type: entry.type,
        relying_party_id: entry.relyingPartyId ?? null,
        details: JSON.stringify(entry.details ?? {}),
        visible_from: entry.visibleFrom ?? entry.occurredAt,
      })
      .execute();
    return activityId;
  }

  /** What the person sees now: entries already visible, newest first. */
  async listVisible(personId: string, now: Date, limit = 200): Promise<ActivityEntry[]> {
    const rows = await this.#db
      .selectFrom('activity')
      .select(['activity_id', 'occurred_at', 'type', 'relying_party_id', 'details'])
      .where('person_id', '=', personId)
      .where('visible_from', '<=', now)
      .orderBy('occurred_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ activityId: r.activity_id, occurredAt: r.occurred_at, type: r.type, relyingPartyId: r.relying_party_id, details: r.details as Record<string, unknown> }));
  }

  /**
   * Moves the person's entries that are still hidden at `now` and match (a deferred authority
   * notice and its outcome) to become visible at `visibleFrom` — earlier (a release) or later (an
   * approved extension). Entries already visible stay as they are. One person's rows only.
   */
  async rescheduleHidden(personId: string, match: HiddenEntryMatch, visibleFrom: Date, now: Date, trx?: Kysely<Database>): Promise<number> {
    const result = await (trx ?? this.#db)
      .updateTable('activity')
      .set({ visible_from: visibleFrom })
      .where('person_id', '=', personId)
      .where('occurred_at', '>=', match.occurredSince)
      .where('visible_from', '>', now)
      .where(sql<string>`details->>${match.detail}::text`, '=', match.equals)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The person's records that occurred in [from, to), oldest first, visible or not. */
  async listInWindow(personId: string, from: Date, to: Date, options: WindowOptions = {}, trx?: Kysely<Database>): Promise<ActivityRecord[]> {
    let query = (trx ?? this.#db)
      .selectFrom('activity')
      .select(['occurred_at', 'type', 'relying_party_id', 'details'])
      .where('person_id', '=', personId)
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to);
    if (options.excludeTypesLike !== undefined) query = query.where('type', 'not like', options.excludeTypesLike);
    const rows = await query.orderBy('occurred_at').execute();
    return rows.map((r) => ({ occurredAt: r.occurred_at, type: r.type, relyingPartyId: r.relying_party_id, details: r.details as Record<string, unknown> }));
  }

  /** Creates the monthly partitions for this month and the next (run at start and daily). */
  async ensurePartitions(now: Date): Promise<void> {
    for (const offset of [0, 1]) {
      const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
      const name = partitionName(start);
      const exists = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_class WHERE relname = ${name}`.execute(this.#db);
      if (exists.rows[0]?.n) continue;
      // A row already in the default partition for this range would block the new partition;
      // move such rows in the same transaction.
      await this.#db.transaction().execute(async (trx) => {
        await sql`CREATE TEMP TABLE activity_move ON COMMIT DROP AS SELECT * FROM activity_default WHERE occurred_at >= ${start} AND occurred_at < ${end}`.execute(trx);
        await sql`DELETE FROM activity_default WHERE occurred_at >= ${start} AND occurred_at < ${end}`.execute(trx);
        await sql.raw(`CREATE TABLE ${name} PARTITION OF activity FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`).execute(trx);
        await sql`INSERT INTO activity SELECT * FROM activity_move`.execute(trx);
      });
    }
  }

}

/** The monthly partition holding rows from `monthStart` (the first of a month, UTC). */
function partitionName(monthStart: Date): string {
  return `activity_${monthStart.getUTCFullYear()}_${String(monthStart.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * The monthly partitions whose whole month ended by `cutoff`: what retention may drop. Takes the
 * caller's transaction, so retention can keep some rows and drop the rest atomically.
 */
export async function monthlyPartitionsEndedBy(db: Kysely<Database>, cutoff: Date): Promise<string[]> {
  const rows = await sql<{ relname: string }>`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'activity'`.execute(db);
  return rows.rows
    .map(({ relname }) => ({ relname, month: /^activity_(\d{4})_(\d{2})$/.exec(relname) }))
    .filter(({ month }) => month && new Date(Date.UTC(Number(month[1]), Number(month[2]), 1)) <= cutoff)
    .map(({ relname }) => relname);
}
