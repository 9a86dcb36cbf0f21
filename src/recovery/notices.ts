/**
 * The "your account was recovered on … — was this you?" notice (migration 0014): written in the
 * recovery's transaction, shown by GET /api/v1/me and the home page until the person dismisses
 * it. One row per person, the latest recovery; statements name one person (SCALE.md rule 1).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface RecoveryNotice {
  readonly recoveryId: string;
  readonly recoveredAt: Date;
}

export class RecoveryNotices {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  /** Records the latest recovery (a later one replaces an earlier one, dismissed or not). */
  async record(personId: string, notice: RecoveryNotice, trx: Kysely<Database>): Promise<void> {
    await trx
      .insertInto('recovery_notices')
      .values({ person_id: personId, recovery_id: notice.recoveryId, recovered_at: notice.recoveredAt, dismissed_at: null })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ recovery_id: notice.recoveryId, recovered_at: notice.recoveredAt, dismissed_at: null }))
      .execute();
  }

  /** The notice the person has not dismissed yet, if any. */
  async pending(personId: string): Promise<RecoveryNotice | null> {
    const row = await this.#db.selectFrom('recovery_notices').select(['recovery_id', 'recovered_at']).where('person_id', '=', personId).where('dismissed_at', 'is', null).executeTakeFirst();
    return row ? { recoveryId: row.recovery_id, recoveredAt: new Date(row.recovered_at) } : null;
  }

  /** Dismisses the pending notice; false when there was none. */
  async dismiss(personId: string, now: Date): Promise<boolean> {
    const result = await this.#db.updateTable('recovery_notices').set({ dismissed_at: now }).where('person_id', '=', personId).where('dismissed_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
