/**
 * Storage of authority requests. Transitions are one conditional UPDATE each (states.ts); the
 * four-eyes rules are part of the WHERE clause, so the database, not a read-then-write in the
 * process, decides who wins a race. Reads are by request id or by one person. The person's
 * activity entries (notices, released records) are the activity repository's (src/audit/activity.ts).
 */
import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool, type Selectable, type Updateable } from 'kysely';
import type { ActivityRecord } from '../audit/activity.ts';
import type { Database } from '../storage/schema.ts';
import type { AuthorityTransition } from './states.ts';
import type { AuthorityRequestsTable } from './tables.ts';

export type AuthorityRequestRow = Selectable<AuthorityRequestsTable>;
type Guard = (eb: ExpressionBuilder<Database, 'authority_requests'>) => Expression<SqlBool>;

export interface MonthlyAuthorityCounts {
  /** `YYYY-MM` of submission. */
  readonly month: string;
  readonly requests: number;
  readonly approved: number;
  readonly rejected: number;
  readonly deferred: number;
}

/** An activity record released under an approved records scope. */
export type ReleasedActivityRecord = ActivityRecord;

export class AuthorityRepository {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  async insert(row: AuthorityRequestRow, trx?: Kysely<Database>): Promise<void> {
    await (trx ?? this.#db).insertInto('authority_requests').values(row).execute();
  }

  async find(requestId: string, trx?: Kysely<Database>): Promise<AuthorityRequestRow | undefined> {
    return (trx ?? this.#db).selectFrom('authority_requests').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  }

  async list(state: AuthorityRequestRow['state'] | undefined, limit = 100): Promise<AuthorityRequestRow[]> {
    let query = this.#db.selectFrom('authority_requests').selectAll().orderBy('submitted_at', 'desc').limit(limit);
    if (state) query = query.where('state', '=', state);
    return query.execute();
  }

  /** Applies a transition atomically; undefined when the row was not in a from-state or a guard failed. */
  async transition(requestId: string, transition: AuthorityTransition, set: Updateable<AuthorityRequestsTable>, guard: Guard | null, trx?: Kysely<Database>): Promise<AuthorityRequestRow | undefined> {
    let query = (trx ?? this.#db)
      .updateTable('authority_requests')
      .set({ ...set, state: transition.to })
      .where('request_id', '=', requestId)
      .where('state', 'in', [...transition.from]);
    if (guard) query = query.where(guard);
    return query.returningAll().executeTakeFirst();
  }

  /** A field update (deferral extension) under a guard, without changing the state. */
  async update(requestId: string, set: Updateable<AuthorityRequestsTable>, guard: Guard, trx?: Kysely<Database>): Promise<AuthorityRequestRow | undefined> {
    return (trx ?? this.#db).updateTable('authority_requests').set(set).where('request_id', '=', requestId).where(guard).returningAll().executeTakeFirst();
  }

  /** Requests whose deferred notice is due and not yet released. */
  async dueNotices(now: Date, limit = 500): Promise<AuthorityRequestRow[]> {
    return this.#db.selectFrom('authority_requests').selectAll().where('notice_released_at', 'is', null).where('deferral_until', 'is not', null).where('deferral_until', '<=', now).orderBy('deferral_until').limit(limit).execute();
  }

  /** Published aggregate: per month of submission, how many requests, approved, rejected, deferred. */
  async monthlyCounts(): Promise<MonthlyAuthorityCounts[]> {
    const result = await sql<{ month: string; requests: number; approved: number; rejected: number; deferred: number }>`
      SELECT to_char(date_trunc('month', submitted_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
             count(*)::int AS requests,
             (count(*) FILTER (WHERE state IN ('approved', 'fulfilled')))::int AS approved,
             (count(*) FILTER (WHERE state = 'rejected'))::int AS rejected,
             (count(*) FILTER (WHERE deferral_until IS NOT NULL))::int AS deferred
      FROM authority_requests GROUP BY 1 ORDER BY 1`.execute(this.#db);
    return result.rows.map((r) => ({ month: r.month, requests: Number(r.requests), approved: Number(r.approved), rejected: Number(r.rejected), deferred: Number(r.deferred) }));
  }
}
