/**
 * Retention (SPEC §2; SCALE.md rule 4): sign-in and disclosure records older than
 * NETID_RETENTION_DAYS are deleted, leaving only the transparency log's commitments. Whole
 * monthly partitions of `activity` that ended before the cutoff are dropped inside this job's
 * transaction (monthlyPartitionsEndedBy, src/audit/activity.ts, names them); the records that
 * due process needs for longer (authority notices, revocations, appeals, app blocks, account
 * and guardianship events — everything that is not a sign-in or disclosure record) are first
 * copied out and put back, where they land in the default partition. Rows of the default
 * partition older than the cutoff that are sign-in or disclosure records are then deleted. Each
 * run is itself an accountable event.
 */
import { sql, type Kysely } from 'kysely';
import { monthlyPartitionsEndedBy } from '../audit/activity.ts';
import type { Database } from '../storage/schema.ts';
import type { AccountableEvent } from '../transparency/service/events.ts';

const DAY_MS = 86_400_000;

/** Activity types that are sign-in or disclosure records (LIKE patterns). */
export const RETAINED_FOR_LIMITED_PERIOD = ['oidc.%', 'signin.%', 'sign_in.%', 'disclosure.%', 'presentation.%'] as const;

export interface RetentionDeps {
  readonly db: Kysely<Database>;
  readonly log: { recordAccountableEvent(event: AccountableEvent, trx?: Kysely<Database>): Promise<void> };
  readonly now: () => Date;
  readonly retentionDays: number;
}

export interface RetentionReport {
  readonly cutoff: Date;
  readonly droppedPartitions: readonly string[];
  readonly keptRecords: number;
  readonly deletedRows: number;
}

export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const cutoff = new Date(deps.now().getTime() - deps.retentionDays * DAY_MS);
  const patterns = [...RETAINED_FOR_LIMITED_PERIOD];
  const limited = sql.join(patterns.map((p) => sql`type LIKE ${p}`), sql` OR `);
  return deps.db.transaction().execute(async (trx) => {
    // Records kept beyond retention, from the partitions about to be dropped.
    const expiredPartitions = await monthlyPartitionsEndedBy(trx, cutoff);
    let keptRecords = 0;
    if (expiredPartitions.length > 0) {
      await sql`CREATE TEMP TABLE retention_keep ON COMMIT DROP AS SELECT * FROM activity WHERE false`.execute(trx);
      for (const relname of expiredPartitions) {
        const moved = await sql`INSERT INTO retention_keep SELECT * FROM ${sql.table(relname)} WHERE NOT (${limited})`.execute(trx);
        keptRecords += Number(moved.numAffectedRows ?? 0);
      }
    }
    // Dropped in this transaction, so the kept rows are put back atomically: a crash leaves
    // either the old partition or both.
    for (const relname of expiredPartitions) await sql`DROP TABLE ${sql.table(relname)}`.execute(trx);
    if (expiredPartitions.length > 0) await sql`INSERT INTO activity SELECT * FROM retention_keep`.execute(trx);
    const deleted = await sql`DELETE FROM activity_default WHERE occurred_at < ${cutoff} AND (${limited})`.execute(trx);
    await deps.log.recordAccountableEvent({ type: 'retention.run', actor: 'system', reason: `cutoff ${cutoff.toISOString()}`, ...(expiredPartitions.length > 0 ? { claims: expiredPartitions } : {}), time: deps.now() }, trx);
    return { cutoff, droppedPartitions: expiredPartitions, keptRecords, deletedRows: Number(deleted.numAffectedRows ?? 0) };
  });
}
