/**
 * Short-lived protocol state (OIDC sessions, grants, codes, tokens, interactions, WebAuthn
 * challenges…) behind one small interface with expiry, so a deployment chooses where it lives
 * without touching protocol code (docs/adr/0006-redis-ephemeral-store.md):
 *
 * - `MemoryEphemeralStore` (memory-ephemeral-store.ts): the default of one embedded node, saved
 *   to the embedded database at a clean stop;
 * - `DatabaseEphemeralStore` (here): the ephemeral_state table of 0001_core.sql — nodes on a
 *   PostgreSQL server without Redis;
 * - `RedisEphemeralStore` (redis-ephemeral-store.ts): NETID_REDIS_URL, for a fleet.
 *
 * test/storage/ephemeral-store.test.ts is the one contract every implementation passes.
 */
import { sql, type Kysely } from 'kysely';
import { defineErrors, NetidError } from '../domain/errors.ts';
import type { Database } from './schema.ts';

defineErrors({
  'storage.unavailable': { status: 503, en: 'Part of the service is briefly unavailable. Please try again in a moment.', zh: '部分服务暂时不可用，请稍后重试。' },
});

/**
 * The store of short-lived state could not answer (Redis down or timed out, or the in-process
 * store full). A coded 503 in both places a request can fail: fastify's error mapper reads the
 * NetidError code; oidc-provider's error handler reads `statusCode`, `expose`, `message` and
 * `error_description`, so its endpoints answer 503 with the OAuth error `temporarily_unavailable`
 * (RFC 6749 §4.1.2.1) instead of a 500 server_error.
 */
export class StoreUnavailableError extends NetidError {
  readonly statusCode = 503;
  readonly error_description: string;

  constructor(cause?: unknown) {
    super('storage.unavailable');
    this.cause = cause;
    this.message = 'temporarily_unavailable';
    this.error_description = this.spec.en;
  }
}

export interface EphemeralRecord {
  readonly payload: Record<string, unknown>;
  readonly expiresAt: Date;
  /** Set once `consume` has been called. */
  readonly consumedAt: Date | null;
}

export interface EphemeralPut {
  readonly payload: Record<string, unknown>;
  readonly expiresAt: Date;
  /** Secondary keys: records sharing a grant are revoked together; uid / user code are lookups. */
  readonly grantId?: string | null;
  readonly uid?: string | null;
  readonly userCode?: string | null;
}

/**
 * Every implementation judges expiry by the node's clock (`now`, which tests set), so a record is
 * live exactly while `expiresAt > now()` whatever the store; the store's own expiry (a sweep, or
 * Redis's TTL) only reclaims space. Failures to reach the store are StoreUnavailableError.
 */
export interface EphemeralStore {
  /** Inserts or replaces. */
  put(namespace: string, id: string, record: EphemeralPut): Promise<void>;
  /** Inserts unless a live (unexpired) record has this id; true when this call inserted it. First caller wins. */
  putIfAbsent(namespace: string, id: string, record: EphemeralPut): Promise<boolean>;
  /** The record, or null when absent or expired. */
  get(namespace: string, id: string): Promise<EphemeralRecord | null>;
  /** Marks the record consumed (first caller wins); false when absent, expired or already consumed. */
  consume(namespace: string, id: string): Promise<boolean>;
  destroy(namespace: string, id: string): Promise<void>;
  /** Deletes every record (any namespace) carrying this grant id. */
  revokeByGrantId(grantId: string): Promise<number>;
  findByUid(namespace: string, uid: string): Promise<(EphemeralRecord & { id: string }) | null>;
  findByUserCode(namespace: string, userCode: string): Promise<(EphemeralRecord & { id: string }) | null>;
  /** Deletes expired records; returns how many (0 where the store's server expires them itself). */
  sweepExpired(): Promise<number>;
}

type Row = { id: string; payload: unknown; expires_at: Date | string; consumed_at: Date | string | null };
const toRecord = (row: Row): EphemeralRecord & { id: string } => ({
  id: row.id,
  payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
  expiresAt: new Date(row.expires_at),
  consumedAt: row.consumed_at ? new Date(row.consumed_at) : null,
});

export class DatabaseEphemeralStore implements EphemeralStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Database>; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  async put(namespace: string, id: string, record: EphemeralPut): Promise<void> {
    const values = {
      namespace,
      id,
      payload: JSON.stringify(record.payload),
      grant_id: record.grantId ?? null,
      uid: record.uid ?? null,
      user_code: record.userCode ?? null,
      expires_at: record.expiresAt,
      consumed_at: null,
    };
    await this.#db
      .insertInto('ephemeral_state')
      .values(values)
      .onConflict((oc) => oc.columns(['namespace', 'id']).doUpdateSet({ payload: values.payload, grant_id: values.grant_id, uid: values.uid, user_code: values.user_code, expires_at: values.expires_at, consumed_at: null }))
      .execute();
  }

  async putIfAbsent(namespace: string, id: string, record: EphemeralPut): Promise<boolean> {
    const values = { namespace, id, payload: JSON.stringify(record.payload), grant_id: record.grantId ?? null, uid: record.uid ?? null, user_code: record.userCode ?? null, expires_at: record.expiresAt, consumed_at: null };
    // An expired record the sweep has not deleted yet counts as absent: it is replaced.
    const inserted = await this.#db
      .insertInto('ephemeral_state')
      .values(values)
      .onConflict((oc) => oc.columns(['namespace', 'id']).doUpdateSet({ payload: values.payload, grant_id: values.grant_id, uid: values.uid, user_code: values.user_code, expires_at: values.expires_at, consumed_at: null }).where('ephemeral_state.expires_at', '<=', this.#now()))
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  }

  async get(namespace: string, id: string): Promise<EphemeralRecord | null> {
    const row = await this.#db
      .selectFrom('ephemeral_state')
      .select(['id', 'payload', 'expires_at', 'consumed_at'])
      .where('namespace', '=', namespace)
      .where('id', '=', id)
      .where('expires_at', '>', this.#now())
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async consume(namespace: string, id: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('ephemeral_state')
      .set({ consumed_at: this.#now() })
      .where('namespace', '=', namespace)
      .where('id', '=', id)
      .where('consumed_at', 'is', null)
      .where('expires_at', '>', this.#now())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async destroy(namespace: string, id: string): Promise<void> {
    await this.#db.deleteFrom('ephemeral_state').where('namespace', '=', namespace).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<number> {
    const result = await this.#db.deleteFrom('ephemeral_state').where('grant_id', '=', grantId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async findByUid(namespace: string, uid: string) {
    const row = await this.#db.selectFrom('ephemeral_state').select(['id', 'payload', 'expires_at', 'consumed_at']).where('namespace', '=', namespace).where('uid', '=', uid).where('expires_at', '>', this.#now()).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async findByUserCode(namespace: string, userCode: string) {
    const row = await this.#db.selectFrom('ephemeral_state').select(['id', 'payload', 'expires_at', 'consumed_at']).where('namespace', '=', namespace).where('user_code', '=', userCode).where('expires_at', '>', this.#now()).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async sweepExpired(): Promise<number> {
    const result = await sql<{ n: number }>`WITH gone AS (DELETE FROM ephemeral_state WHERE expires_at <= ${this.#now()} RETURNING 1) SELECT count(*)::int AS n FROM gone`.execute(this.#db);
    return result.rows[0]?.n ?? 0;
  }
}

/** Runs sweepExpired every `intervalMs` until stopped; errors go to `onError`. */
export function scheduleSweep(store: { sweepExpired(): Promise<number> }, intervalMs: number, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => void store.sweepExpired().catch(onError), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
