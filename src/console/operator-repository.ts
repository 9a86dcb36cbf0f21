/**
 * Storage of the operator console: operators and their one-time enrolment links, their passkeys,
 * and the append-only record of operator actions. Every write takes an optional transaction so
 * an action is recorded in the same transaction as the act it describes.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { ConsoleTables, OperatorRole, OperatorStatus } from './tables.ts';

/** How long an enrolment link works. */
export const ENROLMENT_LINK_TTL_MS = 24 * 60 * 60_000;

/**
 * The catalogue of operator actions (STYLE.md §8): one entry per kind of act, with what its
 * target and details are. Details carry codes and opaque ids, never identity attributes.
 */
export const OPERATOR_ACTIONS = {
  'operator.created': 'An operator or auditor was created through the admin API (netid operator create): target operator; details role. operator_id is null (the admin token).',
  'operator.passkey_registered': 'An operator registered a passkey with their one-time enrolment link: target operator.',
  'operator.signed_in': 'An operator signed in to the console with a passkey: target operator.',
  'relying_party.approved': 'An app was approved (or reinstated): target relying_party client id; details from_state.',
  'relying_party.suspended': 'An app was suspended: target relying_party client id; details reason.',
  'revocation.proposed': "A revocation of a person's credentials was proposed: target revocation id; details reason, person_id.",
  'revocation.approved': 'A second operator approved (and so applied) a revocation: target revocation id; details person_id.',
  'revocation.rejected': 'A revocation proposal was rejected: target revocation id; details reason.',
  'operator.enabled': 'A disabled operator or auditor was enabled again (they sign in with their passkeys, or get a new link): target operator.',
  'operator.disabled': 'An operator or auditor was disabled (their sessions end at once): target operator. operator_id is null when done through the admin API (netid operator disable).',
  'operator.enrolment_reissued': 'A new one-time enrolment link was issued for an operator who lost their passkey device; the old link and their passkeys stop working: target operator; details passkeys_removed.',
  'revocation.appeal_upheld': "An operator upheld a person's appeal against a revocation (fresh credentials allowed): target appeal id; details revocation_id, person_id.",
  'revocation.appeal_dismissed': "An operator dismissed a person's appeal against a revocation: target appeal id; details revocation_id, person_id.",
  'app_access.blocked': "One person's access to one app was blocked: target relying_party client id; details person_id, reason, reference.",
  'app_access.unblocked': "A block of one person's access to one app was lifted: target relying_party client id; details person_id.",
  'authority.submitted': 'An authority request was recorded (step-up proven): target authority_request id; details person_id, scope, deferred.',
  'authority.approval': 'The first of two approvals of an authority request (step-up proven): target authority_request id; details person_id.',
  'authority.approved': 'The second approval, by another operator (step-up proven): target authority_request id; details person_id.',
  'authority.rejected': 'An authority request was rejected (step-up proven): target authority_request id; details person_id.',
  'authority.fulfilled': 'The approved scope was released to the fulfilling operator (step-up proven): target authority_request id; details person_id, scope.',
  'authority.deferral_extension_proposed': "The one extension of a request's notice deferral was proposed (step-up proven): target authority_request id; details person_id.",
  'authority.deferral_extended': 'A second operator approved the extension (step-up proven): target authority_request id; details person_id.',
  'enrolment.assisted_started': 'An operator started an enrolment at a service counter from the document shown: target enrolment id; details document_type.',
} as const;
export type OperatorActionType = keyof typeof OPERATOR_ACTIONS;

/** Keys that would put identity attributes in the action record; refused (a programmer mistake). */
const IDENTITY_KEYS = new Set(['name', 'document_number', 'birth_date', 'birthdate', 'sex', 'nationality', 'expiry_date', 'mrz', 'portrait', 'web_number', 'attributes']);

export interface Operator {
  readonly id: string;
  readonly name: string;
  readonly role: OperatorRole;
  readonly status: OperatorStatus;
  readonly createdAt: Date;
  /** When the unused enrolment link stops working; null once used. */
  readonly enrolmentExpiresAt: Date | null;
}

export interface OperatorPasskey {
  readonly credentialId: string;
  readonly operatorId: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

export type ActionDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface NewAction {
  /** The acting operator; null for the admin API (the data directory's token). */
  readonly operatorId: string | null;
  readonly action: OperatorActionType;
  readonly targetType: string;
  readonly targetId: string;
  readonly details?: ActionDetails;
}

export interface RecordedAction {
  readonly id: string;
  readonly operatorId: string | null;
  /** Null when the action came through the admin API. */
  readonly operatorName: string | null;
  readonly operatorRole: OperatorRole | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly details: Record<string, unknown>;
  readonly occurredAt: Date;
}

export function hashEnrolmentToken(token: string): string {
  return createHash('sha256').update(`netid-console-enrolment.v1.${token}`).digest('hex');
}

const toOperator = (row: Selectable<ConsoleTables['operators']>): Operator => ({ id: row.operator_id, name: row.name, role: row.role, status: row.status, createdAt: new Date(row.created_at), enrolmentExpiresAt: row.enrolment_expires_at ? new Date(row.enrolment_expires_at) : null });

const toPasskey = (row: Selectable<ConsoleTables['operator_passkeys']>): OperatorPasskey => ({
  credentialId: row.credential_id,
  operatorId: row.operator_id,
  publicKey: new Uint8Array(row.public_key),
  counter: Number(row.counter),
  transports: (typeof row.transports === 'string' ? JSON.parse(row.transports) : row.transports) as string[],
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
});

export class OperatorRepository {
  readonly #db: Kysely<Database>;
  readonly #random: (n: number) => Uint8Array;

  constructor(deps: { db: Kysely<Database>; randomBytes?: (n: number) => Uint8Array }) {
    this.#db = deps.db;
    this.#random = deps.randomBytes ?? ((n) => randomBytes(n));
  }

  get db(): Kysely<Database> {
    return this.#db;
  }

  /**
   * Creates an active operator with a one-time enrolment token (returned once; only its hash is
   * kept) valid for 24 hours, and records `operator.created` in the same transaction.
   */
  async create(input: { name: string; role: OperatorRole }, now: Date): Promise<{ operator: Operator; enrolmentToken: string; expiresAt: Date }> {
    const token = Buffer.from(this.#random(32)).toString('base64url');
    const expiresAt = new Date(now.getTime() + ENROLMENT_LINK_TTL_MS);
    const operatorId = randomUUID();
    const row = await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('operators')
        .values({ operator_id: operatorId, name: input.name, role: input.role, status: 'active', created_at: now, enrolment_token_hash: hashEnrolmentToken(token), enrolment_expires_at: expiresAt })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.recordAction({ operatorId: null, action: 'operator.created', targetType: 'operator', targetId: operatorId, details: { role: input.role } }, now, trx);
      return inserted;
    });
    return { operator: toOperator(row), enrolmentToken: token, expiresAt };
  }

  async find(operatorId: string): Promise<Operator | null> {
    if (!isUuid(operatorId)) return null;
    const row = await this.#db.selectFrom('operators').selectAll().where('operator_id', '=', operatorId).executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  async list(): Promise<Operator[]> {
    return (await this.#db.selectFrom('operators').selectAll().orderBy('created_at').execute()).map(toOperator);
  }

  /** The active operator an unused, unexpired enrolment token belongs to (does not use it up). */
  async findByEnrolmentToken(token: string, now: Date): Promise<Operator | null> {
    const row = await this.#db
      .selectFrom('operators')
      .selectAll()
      .where('enrolment_token_hash', '=', hashEnrolmentToken(token))
      .where('enrolment_expires_at', '>', now)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  /** Uses an enrolment token up (first caller wins); null when unknown, used or expired. */
  async consumeEnrolmentToken(token: string, now: Date, trx?: Kysely<Database>): Promise<Operator | null> {
    const row = await (trx ?? this.#db)
      .updateTable('operators')
      .set({ enrolment_token_hash: null, enrolment_expires_at: null })
      .where('enrolment_token_hash', '=', hashEnrolmentToken(token))
      .where('enrolment_expires_at', '>', now)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  async setStatus(operatorId: string, status: OperatorStatus): Promise<boolean> {
    const result = await this.#db.updateTable('operators').set({ status }).where('operator_id', '=', operatorId).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Disables an active operator and records it in the same transaction; any unused enrolment
   * link stops working. Null when the operator is unknown or not active.
   */
  async disable(operatorId: string, actorId: string | null, now: Date): Promise<Operator | null> {
    if (!isUuid(operatorId)) return null;
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('operators')
        .set({ status: 'disabled', enrolment_token_hash: null, enrolment_expires_at: null })
        .where('operator_id', '=', operatorId)
        .where('status', '=', 'active')
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      await this.recordAction({ operatorId: actorId, action: 'operator.disabled', targetType: 'operator', targetId: operatorId, details: { role: row.role } }, now, trx);
      return toOperator(row);
    });
  }

  /** Enables a disabled operator again, recorded in the same transaction. Null when unknown or not disabled. */
  async enable(operatorId: string, actorId: string, now: Date): Promise<Operator | null> {
    if (!isUuid(operatorId)) return null;
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('operators').set({ status: 'active' }).where('operator_id', '=', operatorId).where('status', '=', 'disabled').returningAll().executeTakeFirst();
      if (!row) return null;
      await this.recordAction({ operatorId: actorId, action: 'operator.enabled', targetType: 'operator', targetId: operatorId, details: { role: row.role } }, now, trx);
      return toOperator(row);
    });
  }

  /**
   * Issues a new one-time enrolment link (24 h) for an active operator who lost their passkey
   * device: the previous link's hash is replaced, so it stops working, and their passkeys are
   * removed, so the lost device (and sessions signed in with it) stop working too. Recorded in
   * the same transaction. Null when the operator is unknown or not active.
   */
  async reissueEnrolment(operatorId: string, actorId: string | null, now: Date): Promise<{ operator: Operator; enrolmentToken: string; expiresAt: Date; passkeysRemoved: number } | null> {
    if (!isUuid(operatorId)) return null;
    const token = Buffer.from(this.#random(32)).toString('base64url');
    const expiresAt = new Date(now.getTime() + ENROLMENT_LINK_TTL_MS);
    return this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('operators')
        .set({ enrolment_token_hash: hashEnrolmentToken(token), enrolment_expires_at: expiresAt })
        .where('operator_id', '=', operatorId)
        .where('status', '=', 'active')
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      const removed = await trx.deleteFrom('operator_passkeys').where('operator_id', '=', operatorId).returning('credential_id').execute();
      await this.recordAction({ operatorId: actorId, action: 'operator.enrolment_reissued', targetType: 'operator', targetId: operatorId, details: { passkeys_removed: removed.length } }, now, trx);
      return { operator: toOperator(row), enrolmentToken: token, expiresAt, passkeysRemoved: removed.length };
    });
  }

  /** When each operator last signed in, from their passkeys' last use (unknown after a link re-issue until they sign in again). */
  async lastSignIns(): Promise<Map<string, Date>> {
    const rows = await this.#db.selectFrom('operator_passkeys').select(['operator_id', (eb) => eb.fn.max('last_used_at').as('last')]).groupBy('operator_id').execute();
    return new Map(rows.filter((r) => r.last !== null && r.last !== undefined).map((r) => [r.operator_id, new Date(r.last as string | Date)]));
  }

  async addPasskey(passkey: Omit<OperatorPasskey, 'lastUsedAt'>, trx?: Kysely<Database>): Promise<void> {
    await (trx ?? this.#db)
      .insertInto('operator_passkeys')
      .values({ credential_id: passkey.credentialId, operator_id: passkey.operatorId, public_key: passkey.publicKey, counter: passkey.counter, transports: JSON.stringify(passkey.transports), created_at: passkey.createdAt, last_used_at: null })
      .execute();
  }

  async findPasskey(credentialId: string): Promise<OperatorPasskey | null> {
    const row = await this.#db.selectFrom('operator_passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
    return row ? toPasskey(row) : null;
  }

  async passkeysOf(operatorId: string): Promise<OperatorPasskey[]> {
    return (await this.#db.selectFrom('operator_passkeys').selectAll().where('operator_id', '=', operatorId).execute()).map(toPasskey);
  }

  /**
   * Stores a passkey's new signature counter; refuses one that did not go up (a cloned
   * authenticator), except authenticators that always report 0.
   */
  async recordPasskeyUse(credentialId: string, previous: number, next: number, now: Date, trx?: Kysely<Database>): Promise<boolean> {
    if (!(next > previous || (previous === 0 && next === 0))) return false;
    const result = await (trx ?? this.#db)
      .updateTable('operator_passkeys')
      .set({ counter: next, last_used_at: now })
      .where('credential_id', '=', credentialId)
      .where('counter', '=', previous)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Appends one action to the record (in the caller's transaction when given). */
  async recordAction(action: NewAction, now: Date, trx?: Kysely<Database>): Promise<string> {
    if (!(action.action in OPERATOR_ACTIONS)) throw new TypeError(`unknown operator action ${action.action}`);
    for (const key of Object.keys(action.details ?? {})) {
      if (IDENTITY_KEYS.has(key)) throw new TypeError(`operator action details must not carry identity attributes (${key})`);
    }
    const id = randomUUID();
    await (trx ?? this.#db)
      .insertInto('operator_actions')
      .values({ action_id: id, operator_id: action.operatorId, action: action.action, target_type: action.targetType, target_id: action.targetId, details: JSON.stringify(action.details ?? {}), occurred_at: now })
      .execute();
    return id;
  }

  /** The record, newest first, with each acting operator's name and role. */
  async listActions(options: { limit?: number } = {}): Promise<RecordedAction[]> {
    const rows = await this.#db
      .selectFrom('operator_actions as a')
      .leftJoin('operators as o', 'o.operator_id', 'a.operator_id')
      .select(['a.action_id', 'a.operator_id', 'o.name', 'o.role', 'a.action', 'a.target_type', 'a.target_id', 'a.details', 'a.occurred_at'])
      .orderBy('a.occurred_at', 'desc')
      .orderBy('a.action_id', 'desc')
      .limit(Math.min(Math.max(options.limit ?? 200, 1), 1000))
      .execute();
    return rows.map((r) => ({
      id: r.action_id,
      operatorId: r.operator_id,
      operatorName: r.name ?? null,
      operatorRole: r.role ?? null,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
      occurredAt: new Date(r.occurred_at),
    }));
  }
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
