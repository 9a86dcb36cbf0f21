/**
 * Persons: one row per enrolled identity, found by person_id; the document's keyed hash and the
 * web number have their own lookup tables (each keyed by that value), so a shard can be found
 * from either without scanning persons (SCALE.md rule 1). Identity attributes are sealed with
 * the person's id as context; no document number, name or birth date is stored in clear.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { defineErrors } from '../domain/errors.ts';
import type { IdentityAttributes } from '../domain/identity/record.ts';
import type { Sealer } from '../keys/envelope.ts';
import type { Database } from '../storage/schema.ts';

export const PersonError = defineErrors({
  'person.already_enrolled': { status: 409, en: 'This identity document is already enrolled. Sign in instead, or deactivate the existing enrolment first.', zh: '该身份证件已注册。请直接登录，或先注销已有的注册。' },
  'person.not_found': { status: 404, en: 'No such person.', zh: '未找到该用户。' },
  'person.not_active': { status: 409, en: 'This web number is not active.', zh: '该网号未处于有效状态。' },
});

/** The identity attributes netid keeps about a person, sealed at rest (declared in src/domain/identity). */
export type { IdentityAttributes };

export interface Person {
  readonly personId: string;
  readonly state: 'active' | 'deactivated';
  readonly webNumber: string | null;
  readonly guardianPersonId: string | null;
  readonly createdAt: Date;
}

export interface NewPerson {
  readonly documentKey: string;
  readonly webNumber: string;
  readonly attributes: IdentityAttributes;
  readonly guardianPersonId?: string | null;
  readonly now: Date;
  readonly personId?: string;
}

const attributesContext = (personId: string) => `persons.attributes:${personId}`;

export class PersonRepository {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer }) {
    this.#db = deps.db;
    this.#sealer = deps.sealer;
  }

  /**
   * Creates the person, its document key and its web number in one transaction (pass `trx` to
   * join a caller's transaction). A second enrolment of the same document is refused; a
   * tombstone from an earlier deactivation is taken over, keeping its history auditable.
   */
  async create(person: NewPerson, trx?: Kysely<Database>): Promise<Person> {
    const run = async (db: Kysely<Database>): Promise<Person> => {
      const personId = person.personId ?? randomUUID();
      const existing = await db.selectFrom('person_document_keys').select(['state']).where('document_key', '=', person.documentKey).forUpdate().executeTakeFirst();
      if (existing?.state === 'active') throw PersonError('person.already_enrolled');
      if (existing) {
        await db.updateTable('person_document_keys').set({ person_id: personId, state: 'active', created_at: person.now, tombstoned_at: null }).where('document_key', '=', person.documentKey).execute();
      } else {
        // ON CONFLICT DO NOTHING turns a concurrent duplicate into a clean refusal.
        const inserted = await db
          .insertInto('person_document_keys')
          .values({ document_key: person.documentKey, person_id: personId, state: 'active', created_at: person.now, tombstoned_at: null })
          .onConflict((oc) => oc.column('document_key').doNothing())
          .returning('document_key')
          .executeTakeFirst();
        if (!inserted) throw PersonError('person.already_enrolled');
      }
      await db.insertInto('web_numbers').values({ web_number: person.webNumber, person_id: personId, state: 'active', issued_at: person.now, retired_at: null }).execute();
      await db
        .insertInto('persons')
        .values({
          person_id: personId,
          state: 'active',
          web_number: person.webNumber,
          document_key: person.documentKey,
          attributes_sealed: this.#sealer.sealJson(person.attributes, attributesContext(personId)),
          guardian_person_id: person.guardianPersonId ?? null,
          created_at: person.now,
          updated_at: person.now,
          deactivated_at: null,
        })
        .execute();
      return { personId, state: 'active', webNumber: person.webNumber, guardianPersonId: person.guardianPersonId ?? null, createdAt: person.now };
    };
    return trx ? run(trx) : this.#db.transaction().execute(run);
  }

  /** The person's record (no identity attributes); inside `trx` when the caller holds a transaction. */
  async find(personId: string, trx?: Kysely<Database>): Promise<Person | null> {
    const row = await (trx ?? this.#db).selectFrom('persons').select(['person_id', 'state', 'web_number', 'guardian_person_id', 'created_at']).where('person_id', '=', personId).executeTakeFirst();
    return row ? { personId: row.person_id, state: row.state, webNumber: row.web_number, guardianPersonId: row.guardian_person_id, createdAt: row.created_at } : null;
  }

  /**
   * The person and whether a revocation in force holds their credentials (person_credential_holds,
   * src/revocation: revoked and not reinstated on appeal): such a person may still use the netid
   * app (to see the revocation and appeal) but obtains no web certificate and signs in to no app.
   * `lock` takes the person's row for the caller's transaction: issuance and credential revocation
   * both take it, so a batch is either revoked with the others or refused.
   */
  async standing(personId: string, trx?: Kysely<Database>, options: { lock?: boolean } = {}): Promise<(Person & { readonly credentialsHeld: boolean }) | null> {
    let query = (trx ?? this.#db)
      .selectFrom('persons as p')
      .leftJoin('person_credential_holds as h', 'h.person_id', 'p.person_id')
      .select(['p.person_id', 'p.state', 'p.web_number', 'p.guardian_person_id', 'p.created_at', 'h.eligible_for_issuance'])
      .where('p.person_id', '=', personId);
    if (options.lock) query = query.forUpdate('p');
    const row = await query.executeTakeFirst();
    if (!row) return null;
    return { personId: row.person_id, state: row.state, webNumber: row.web_number, guardianPersonId: row.guardian_person_id, createdAt: row.created_at, credentialsHeld: row.eligible_for_issuance === false };
  }

  /** The active person holding this document, if any. */
  async findIdByDocumentKey(documentKey: string): Promise<string | null> {
    const row = await this.#db.selectFrom('person_document_keys').select(['person_id']).where('document_key', '=', documentKey).where('state', '=', 'active').executeTakeFirst();
    return row?.person_id ?? null;
  }

  async findIdByWebNumber(webNumber: string): Promise<string | null> {
    const row = await this.#db.selectFrom('web_numbers').select(['person_id']).where('web_number', '=', webNumber).where('state', '=', 'active').executeTakeFirst();
    return row?.person_id ?? null;
  }

  async attributes(personId: string): Promise<IdentityAttributes> {
    const row = await this.#db.selectFrom('persons').select(['attributes_sealed', 'state']).where('person_id', '=', personId).executeTakeFirst();
    if (!row) throw PersonError('person.not_found');
    if (row.state !== 'active' || !row.attributes_sealed) throw PersonError('person.not_active');
    return this.#sealer.unsealJson<IdentityAttributes>(row.attributes_sealed, attributesContext(personId));
  }

  /**
   * Deactivation (SPEC F14): attributes deleted, web number retired, the document key kept only
   * as a tombstone. Credentials and devices are revoked by their own capabilities in the same
   * transaction (pass `trx`).
   */
  async deactivate(personId: string, now: Date, trx?: Kysely<Database>): Promise<void> {
    const run = async (db: Kysely<Database>) => {
      const row = await db.selectFrom('persons').select(['document_key', 'web_number', 'state']).where('person_id', '=', personId).forUpdate().executeTakeFirst();
      if (!row) throw PersonError('person.not_found');
      if (row.state !== 'active') throw PersonError('person.not_active');
      await db.updateTable('persons').set({ state: 'deactivated', attributes_sealed: null, web_number: null, updated_at: now, deactivated_at: now }).where('person_id', '=', personId).execute();
      await db.updateTable('person_document_keys').set({ state: 'tombstone', tombstoned_at: now }).where('document_key', '=', row.document_key).where('person_id', '=', personId).execute();
      if (row.web_number) await db.updateTable('web_numbers').set({ state: 'retired', retired_at: now }).where('web_number', '=', row.web_number).execute();
    };
    await (trx ? run(trx) : this.#db.transaction().execute(run));
  }
}

/** The keyed hash that identifies a document without storing its number (SPEC §2, honeypot row). */
export function documentKey(sealer: Sealer, documentType: string, documentNumber: string): string {
  return sealer.keyedHash('document', `${documentType}\n${documentNumber}`);
}
