/**
 * Storage of the netid app's person sessions (migration 0011). Every statement names one person
 * (SCALE.md rule 1); the per-request check is one indexed read that joins the session to its
 * person's row.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface StoredSession {
  readonly personId: string;
  readonly sessionId: string;
  readonly deviceId: string | null;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly expiresAt: Date;
}

export class PersonSessionRepository {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  async insert(session: StoredSession): Promise<void> {
    await this.#db
      .insertInto('person_sessions')
      .values({ person_id: session.personId, session_id: session.sessionId, device_id: session.deviceId, created_at: session.createdAt, last_seen_at: session.lastSeenAt, expires_at: session.expiresAt })
      .execute();
  }

  /** The session and its person's state, in one read; null when either is gone. */
  async findWithPersonState(personId: string, sessionId: string): Promise<(StoredSession & { personState: 'active' | 'deactivated' }) | null> {
    const row = await this.#db
      .selectFrom('person_sessions as s')
      .innerJoin('persons as p', 'p.person_id', 's.person_id')
      .select(['s.person_id', 's.session_id', 's.device_id', 's.created_at', 's.last_seen_at', 's.expires_at', 'p.state'])
      .where('s.person_id', '=', personId)
      .where('s.session_id', '=', sessionId)
      .executeTakeFirst();
    if (!row) return null;
    return { personId: row.person_id, sessionId: row.session_id, deviceId: row.device_id, createdAt: new Date(row.created_at), lastSeenAt: new Date(row.last_seen_at), expiresAt: new Date(row.expires_at), personState: row.state };
  }

  /** Slides the idle window. */
  async touch(personId: string, sessionId: string, now: Date): Promise<void> {
    await this.#db.updateTable('person_sessions').set({ last_seen_at: now }).where('person_id', '=', personId).where('session_id', '=', sessionId).execute();
  }

  /**
   * Drops the person's sessions that ended (absolute end passed, or idle since `idleCutoff`) and
   * all but the `keep` most recently used of the others, so a person's rows stay bounded.
   */
  async prune(personId: string, now: Date, idleCutoff: Date, keep: number): Promise<void> {
    await this.#db
      .deleteFrom('person_sessions')
      .where('person_id', '=', personId)
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleCutoff)]))
      .execute();
    const surplus = await this.#db.selectFrom('person_sessions').select('session_id').where('person_id', '=', personId).orderBy('last_seen_at', 'desc').orderBy('session_id').offset(keep).execute();
    if (surplus.length) await this.#db.deleteFrom('person_sessions').where('person_id', '=', personId).where('session_id', 'in', surplus.map((r) => r.session_id)).execute();
  }

  async end(personId: string, sessionId: string): Promise<void> {
    await this.#db.deleteFrom('person_sessions').where('person_id', '=', personId).where('session_id', '=', sessionId).execute();
  }

  /** Ends every session of the person (deactivation, an applied revocation); in the caller's transaction. */
  async endAll(personId: string, trx?: Kysely<Database>): Promise<number> {
    const result = await (trx ?? this.#db).deleteFrom('person_sessions').where('person_id', '=', personId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Ends the sessions opened with one passkey (its removal); in the caller's transaction. */
  async endForDevice(personId: string, deviceId: string, trx?: Kysely<Database>): Promise<number> {
    const result = await (trx ?? this.#db).deleteFrom('person_sessions').where('person_id', '=', personId).where('device_id', '=', deviceId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
