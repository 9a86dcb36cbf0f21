/**
 * Storage of revocations, appeals, credential holds and per-app blocks. Transitions are one
 * conditional UPDATE each (`… WHERE state IN (from) RETURNING *`), the four-eyes rule inside the
 * WHERE clause. Every query names one person or one record.
 */
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool, Updateable } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Transition } from '../domain/transition.ts';
import type { AppealState, RevocationState, RevocationTables } from './tables.ts';

export type RevocationRow = Selectable<RevocationTables['revocations']>;
export type AppealRow = Selectable<RevocationTables['revocation_appeals']>;
export type CredentialHoldRow = Selectable<RevocationTables['person_credential_holds']>;

export type { Transition };

export class RevocationRepository {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  async insert(row: RevocationRow, trx?: Kysely<Database>): Promise<void> {
    await (trx ?? this.#db).insertInto('revocations').values(row).execute();
  }

  async find(revocationId: string, trx?: Kysely<Database>): Promise<RevocationRow | undefined> {
    return (trx ?? this.#db).selectFrom('revocations').selectAll().where('revocation_id', '=', revocationId).executeTakeFirst();
  }

  async listByPerson(personId: string): Promise<RevocationRow[]> {
    return this.#db.selectFrom('revocations').selectAll().where('person_id', '=', personId).orderBy('proposed_at', 'desc').execute();
  }

  async listByState(state: RevocationState, limit = 100): Promise<RevocationRow[]> {
    return this.#db.selectFrom('revocations').selectAll().where('state', '=', state).orderBy('proposed_at').limit(limit).execute();
  }

  /** Decided revocations (approved, applied or rejected), newest proposal first, one page at a time (the console's history). */
  async listDecided(page: { limit: number; offset: number }): Promise<RevocationRow[]> {
    return this.#db
      .selectFrom('revocations')
      .selectAll()
      .where('state', 'in', ['approved', 'applied', 'rejected'])
      .orderBy('proposed_at', 'desc')
      .orderBy('revocation_id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
  }

  async transition(
    revocationId: string,
    transition: Transition<RevocationState>,
    set: Updateable<RevocationTables['revocations']>,
    guard: ((eb: ExpressionBuilder<Database, 'revocations'>) => Expression<SqlBool>) | null,
    trx?: Kysely<Database>,
  ): Promise<RevocationRow | undefined> {
    let query = (trx ?? this.#db).updateTable('revocations').set({ ...set, state: transition.to }).where('revocation_id', '=', revocationId).where('state', 'in', [...transition.from]);
    if (guard) query = query.where(guard);
    return query.returningAll().executeTakeFirst();
  }

  async insertAppeal(row: AppealRow, trx?: Kysely<Database>): Promise<boolean> {
    const inserted = await (trx ?? this.#db).insertInto('revocation_appeals').values(row).onConflict((oc) => oc.column('revocation_id').where('state', '=', 'lodged').doNothing()).returning('appeal_id').executeTakeFirst();
    return inserted !== undefined;
  }

  async appealsByPerson(personId: string): Promise<AppealRow[]> {
    return this.#db.selectFrom('revocation_appeals').selectAll().where('person_id', '=', personId).orderBy('lodged_at', 'desc').execute();
  }

  async openAppeals(limit = 100): Promise<AppealRow[]> {
    return this.#db.selectFrom('revocation_appeals').selectAll().where('state', '=', 'lodged').orderBy('lodged_at').limit(limit).execute();
  }

  async answerAppeal(appealId: string, transition: Transition<AppealState>, set: Updateable<RevocationTables['revocation_appeals']>, trx: Kysely<Database>): Promise<AppealRow | undefined> {
    return trx.updateTable('revocation_appeals').set({ ...set, state: transition.to }).where('appeal_id', '=', appealId).where('state', 'in', [...transition.from]).returningAll().executeTakeFirst();
  }

  async setHold(personId: string, state: CredentialHoldRow['state'], revocationId: string, eligible: boolean, now: Date, trx: Kysely<Database>): Promise<void> {
    await trx
      .insertInto('person_credential_holds')
      .values({ person_id: personId, state, revocation_id: revocationId, eligible_for_issuance: eligible, updated_at: now })
      .onConflict((oc) => oc.column('person_id').doUpdateSet({ state, revocation_id: revocationId, eligible_for_issuance: eligible, updated_at: now }))
      .execute();
  }

  async hold(personId: string): Promise<CredentialHoldRow | undefined> {
    return this.#db.selectFrom('person_credential_holds').selectAll().where('person_id', '=', personId).executeTakeFirst();
  }

  async block(row: Selectable<RevocationTables['app_blocks']>, trx: Kysely<Database>): Promise<boolean> {
    const inserted = await trx.insertInto('app_blocks').values(row).onConflict((oc) => oc.columns(['person_id', 'client_id']).doNothing()).returning('client_id').executeTakeFirst();
    return inserted !== undefined;
  }

  async unblock(personId: string, clientId: string, trx: Kysely<Database>): Promise<boolean> {
    const deleted = await trx.deleteFrom('app_blocks').where('person_id', '=', personId).where('client_id', '=', clientId).returning('client_id').executeTakeFirst();
    return deleted !== undefined;
  }

  /** Blocks in force, newest first (the console's list; an operator view across people, paged by `limit`). */
  async listBlocks(limit: number): Promise<Array<Selectable<RevocationTables['app_blocks']>>> {
    return this.#db.selectFrom('app_blocks').selectAll().orderBy('blocked_at', 'desc').limit(limit).execute();
  }

  async isBlocked(personId: string, clientId: string): Promise<boolean> {
    const row = await this.#db.selectFrom('app_blocks').select('client_id').where('person_id', '=', personId).where('client_id', '=', clientId).executeTakeFirst();
    return row !== undefined;
  }
}
