/**
 * Storage of the enrolment state machine. Every transition is one guarded statement,
 * `UPDATE enrolments … WHERE enrolment_id = $1 AND state = ANY($from) AND expires_at > $now
 * RETURNING *`, so whichever request comes second finds the state already moved and fails
 * cleanly. The state's data is sealed with the enrolment id as context and dropped when the flow
 * ends. Decision records go in the same transaction as the transition they justify.
 *
 * A repository serves one purpose (enrolment, or recovery: src/recovery): it finds and moves only
 * the rows of its purpose, so an enrolment id is no recovery and the other way round.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Sealer } from '../keys/envelope.ts';
import type { Database } from '../storage/schema.ts';
import { EnrolmentError } from './errors.ts';
import { OPEN_STATES, TERMINAL_STATES, type Enrolment, type Transition } from './states.ts';
import type { AgeGroup, EnrolmentsTable, ProofingPurpose } from './tables.ts';

/** The decision record of one check: never an image, an embedding or an identity value. */
export interface Decision {
  readonly step: 'document' | 'face' | 'liveness' | 'guardian' | 'device' | 'issuance';
  readonly check: string;
  readonly result: 'pass' | 'fail';
  /** Scores, thresholds, model name@version, reason codes. */
  readonly details: Record<string, unknown>;
}

export interface StoredDecision extends Decision {
  readonly seq: number;
  readonly decidedAt: Date;
}

type Row = Selectable<EnrolmentsTable>;
type Data = Record<string, unknown>;

const dataContext = (id: string) => `enrolments.data:${id}`;

export interface TransitionPatch {
  /** New sealed data; `null` drops it; absent keeps it. */
  readonly data?: Data | null;
  readonly guardianPersonId?: string;
  readonly failureCode?: string;
  readonly faceAttempts?: number;
  /** The person a recovery found (set once, when the face matched). */
  readonly personId?: string;
}

export class EnrolmentRepository {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly purpose: ProofingPurpose;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer; purpose?: ProofingPurpose }) {
    this.#db = deps.db;
    this.#sealer = deps.sealer;
    this.purpose = deps.purpose ?? 'enrolment';
  }

  get db(): Kysely<Database> {
    return this.#db;
  }

  async create(input: { enrolmentId: string; personId: string | null; documentKey: string; documentType: string; ageGroup: AgeGroup; now: Date; expiresAt: Date }): Promise<Enrolment> {
    const row = await this.#db
      .insertInto('enrolments')
      .values({
        enrolment_id: input.enrolmentId,
        purpose: this.purpose,
        state: 'started',
        document_key: input.documentKey,
        document_type: input.documentType,
        age_group: input.ageGroup,
        guardian_person_id: null,
        data_sealed: null,
        person_id: input.personId,
        failure_code: null,
        created_at: input.now,
        updated_at: input.now,
        expires_at: input.expiresAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return this.#toEnrolment(row);
  }

  async find(enrolmentId: string, trx?: Kysely<Database>): Promise<Enrolment | null> {
    if (!isUuid(enrolmentId)) return null;
    const row = await (trx ?? this.#db).selectFrom('enrolments').selectAll().where('enrolment_id', '=', enrolmentId).where('purpose', '=', this.purpose).executeTakeFirst();
    return row ? this.#toEnrolment(row) : null;
  }

  /**
   * Applies a transition atomically. When the enrolment is not in a `from` state (or has
   * expired) nothing changes and a NetidError says why: not found, expired, or wrong state.
   */
  async transition(enrolmentId: string, transition: Transition, now: Date, patch: TransitionPatch = {}, decisions: readonly Decision[] = [], trx?: Kysely<Database>): Promise<Enrolment> {
    const run = async (db: Kysely<Database>): Promise<Enrolment> => {
      const terminal = TERMINAL_STATES.includes(transition.to);
      const set: Record<string, unknown> = { state: transition.to, updated_at: now };
      if (terminal && transition.to !== 'issued') set.data_sealed = null;
      else if (patch.data === null || transition.to === 'issued') set.data_sealed = null;
      else if (patch.data !== undefined) set.data_sealed = this.#sealer.sealJson(patch.data, dataContext(enrolmentId));
      if (patch.guardianPersonId !== undefined) set.guardian_person_id = patch.guardianPersonId;
      if (patch.failureCode !== undefined) set.failure_code = patch.failureCode;
      if (patch.personId !== undefined) set.person_id = patch.personId;
      let query = db
        .updateTable('enrolments')
        .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
        .where('enrolment_id', '=', enrolmentId)
        .where('purpose', '=', this.purpose)
        .where('state', 'in', [...transition.from]);
      // Expiry and cancellation can happen after the deadline; every other step must be in time.
      if (transition.to !== 'expired' && transition.to !== 'cancelled' && transition.to !== 'failed') query = query.where('expires_at', '>', now);
      const row = await query.returningAll().executeTakeFirst();
      if (!row) throw await this.#whyNot(enrolmentId, now, db);
      await this.#recordDecisions(db, enrolmentId, now, decisions);
      return this.#toEnrolment(row);
    };
    return trx ? run(trx) : this.#db.transaction().execute(run);
  }

  /** Replaces the data of an open enrolment without changing its state (a new challenge). */
  async updateData(enrolment: Enrolment, data: Data, now: Date): Promise<Enrolment> {
    const row = await this.#db
      .updateTable('enrolments')
      .set((eb) => ({ data_sealed: this.#sealer.sealJson(data, dataContext(enrolment.enrolmentId)), updated_at: now, version: eb('version', '+', 1) }))
      .where('enrolment_id', '=', enrolment.enrolmentId)
      .where('purpose', '=', this.purpose)
      .where('state', '=', enrolment.state)
      .where('version', '=', enrolment.version)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw await this.#whyNot(enrolment.enrolmentId, now, this.#db);
    return this.#toEnrolment(row);
  }

  /**
   * Counts a face attempt before it is made, so concurrent attempts cannot exceed the limit.
   * Returns the attempt number, or null when the limit was already reached.
   */
  async countFaceAttempt(enrolmentId: string, maxAttempts: number, now: Date): Promise<number | null> {
    const row = await this.#db
      .updateTable('enrolments')
      .set((eb) => ({ face_attempts: eb('face_attempts', '+', 1), updated_at: now }))
      .where('enrolment_id', '=', enrolmentId)
      .where('purpose', '=', this.purpose)
      .where('state', '=', 'document_checked')
      .where('expires_at', '>', now)
      .where('face_attempts', '<', maxAttempts)
      .returning('face_attempts')
      .executeTakeFirst();
    if (row) return row.face_attempts;
    const current = await this.find(enrolmentId);
    if (current?.state === 'document_checked' && current.expiresAt > now && current.faceAttempts >= maxAttempts) return null;
    throw await this.#whyNot(enrolmentId, now, this.#db);
  }

  async recordDecisions(enrolmentId: string, now: Date, decisions: readonly Decision[]): Promise<void> {
    await this.#db.transaction().execute((trx) => this.#recordDecisions(trx, enrolmentId, now, decisions));
  }

  async decisions(enrolmentId: string): Promise<StoredDecision[]> {
    const rows = await this.#db.selectFrom('enrolment_decisions').selectAll().where('enrolment_id', '=', enrolmentId).orderBy('seq').execute();
    return rows.map((r) => ({ seq: r.seq, step: r.step as Decision['step'], check: r.check_name, result: r.result, details: r.details as Record<string, unknown>, decidedAt: r.decided_at }));
  }

  /** Marks every unfinished enrolment past its deadline as expired (a periodic job). */
  async expireOverdue(now: Date): Promise<number> {
    const rows = await this.#db
      .updateTable('enrolments')
      .set((eb) => ({ state: 'expired' as const, data_sealed: null, updated_at: now, version: eb('version', '+', 1) }))
      .where('state', 'in', [...OPEN_STATES])
      .where('expires_at', '<=', now)
      .returning('enrolment_id')
      .execute();
    return rows.length;
  }

  async #recordDecisions(db: Kysely<Database>, enrolmentId: string, now: Date, decisions: readonly Decision[]): Promise<void> {
    if (decisions.length === 0) return;
    // Serialise decision numbering per enrolment behind its row lock.
    await db.selectFrom('enrolments').select('enrolment_id').where('enrolment_id', '=', enrolmentId).forUpdate().execute();
    const last = await db.selectFrom('enrolment_decisions').select((eb) => eb.fn.max('seq').as('seq')).where('enrolment_id', '=', enrolmentId).executeTakeFirst();
    let seq = Number(last?.seq ?? 0);
    await db
      .insertInto('enrolment_decisions')
      .values(decisions.map((d) => ({ enrolment_id: enrolmentId, seq: ++seq, step: d.step, check_name: d.check, result: d.result, details: JSON.stringify(d.details), decided_at: now })))
      .execute();
  }

  async #whyNot(enrolmentId: string, now: Date, db: Kysely<Database>) {
    const row = await db.selectFrom('enrolments').selectAll().where('enrolment_id', '=', enrolmentId).where('purpose', '=', this.purpose).executeTakeFirst();
    if (!row) return EnrolmentError('enrolment.not_found');
    if (row.state === 'expired') return EnrolmentError('enrolment.expired');
    if (OPEN_STATES.includes(row.state) && row.expires_at <= now) {
      // Record the expiry the first time someone finds it.
      await db
        .updateTable('enrolments')
        .set((eb) => ({ state: 'expired' as const, data_sealed: null, updated_at: now, version: eb('version', '+', 1) }))
        .where('enrolment_id', '=', enrolmentId)
        .where('state', 'in', [...OPEN_STATES])
        .execute();
      return EnrolmentError('enrolment.expired');
    }
    return EnrolmentError('enrolment.wrong_state', { state: row.state });
  }

  #toEnrolment(row: Row): Enrolment {
    const common = {
      enrolmentId: row.enrolment_id,
      purpose: row.purpose,
      documentKey: row.document_key,
      documentType: row.document_type,
      ageGroup: row.age_group,
      personId: row.person_id ?? '',
      faceAttempts: row.face_attempts,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      expiresAt: row.expires_at,
      version: row.version,
    };
    const data = row.data_sealed ? this.#sealer.unsealJson<Data>(row.data_sealed, dataContext(row.enrolment_id)) : null;
    const need = (): never => {
      throw new TypeError(`enrolment ${row.enrolment_id} in state ${row.state} has no data`);
    };
    switch (row.state) {
      case 'started':
      case 'expired':
      case 'cancelled':
        return { ...common, state: row.state };
      case 'failed':
        return { ...common, state: 'failed', failureCode: row.failure_code ?? 'unknown' };
      case 'issued':
      case 'recovered':
        return { ...common, state: row.state, guardianPersonId: row.guardian_person_id };
      case 'document_checked':
        return { ...common, state: 'document_checked', data: (data ?? need()) as never };
      case 'face_verified':
        return { ...common, state: 'face_verified', data: { passkeyChallenge: null, guardianChallenge: null, ...(data ?? need()) } as never };
      case 'guardian_approved':
        return { ...common, state: 'guardian_approved', guardianPersonId: row.guardian_person_id ?? need(), data: { passkeyChallenge: null, ...(data ?? need()) } as never };
      case 'device_bound':
        return { ...common, state: 'device_bound', guardianPersonId: row.guardian_person_id, data: (data ?? need()) as never };
    }
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
