/**
 * Revocation of web certificates (SPEC F13): every credential's status entry is flipped to
 * INVALID with a reason from a closed list, the cached token of each list touched is dropped (the
 * next request signs the new bits), and the person's activity records it — all in one
 * transaction (pass the caller's `trx` to join, e.g. deactivation).
 */
import type { Kysely } from 'kysely';
import type { PersonRepository } from '../../accounts/person-repository.ts';
import type { ActivityRepository } from '../../audit/activity.ts';
import type { Database } from '../../storage/schema.ts';
import { CredentialServiceError } from './errors.ts';

export const REVOCATION_REASONS = ['person_deactivated', 'device_removed', 'person_request', 'document_invalid', 'fraud', 'legal_order'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** Credentials that expired longer ago than this are left alone (verifiers reject them anyway). */
const EXPIRED_GRACE_MS = 86_400_000;

export interface RevocationDeps {
  readonly db: Kysely<Database>;
  readonly persons: Pick<PersonRepository, 'standing'>;
  readonly activity: Pick<ActivityRepository, 'record'>;
  readonly now: () => Date;
}

export interface RevocationOutcome {
  /** Credentials revoked now (already revoked or long-expired ones are not counted). */
  readonly revoked: number;
  /** The status lists whose bits changed. */
  readonly lists: readonly number[];
}

async function revokeWhere(deps: RevocationDeps, personId: string, reason: RevocationReason, deviceRef: string | null, trx: Kysely<Database> | undefined): Promise<RevocationOutcome> {
  if (!(REVOCATION_REASONS as readonly string[]).includes(reason)) throw CredentialServiceError('credential.revocation_reason', { reason });
  const run = async (db: Kysely<Database>): Promise<RevocationOutcome> => {
    // The person's lock, which issuance takes too: a batch being issued now is committed before
    // this revokes it with the rest, or waits and sees the revocation.
    await deps.persons.standing(personId, db, { lock: true });
    const now = deps.now();
    let query = db
      .updateTable('status_entries')
      .set({ revoked_at: now, reason })
      .where('person_id', '=', personId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date(now.getTime() - EXPIRED_GRACE_MS));
    if (deviceRef !== null) query = query.where('device_ref', '=', deviceRef);
    const rows = await query.returning(['list_id']).execute();
    const lists = [...new Set(rows.map((r) => r.list_id))].sort((a, b) => a - b);
    if (lists.length) await db.deleteFrom('status_list_tokens').where('list_id', 'in', lists).execute();
    if (rows.length) {
      await deps.activity.record({ personId, type: 'credential_revoked', occurredAt: now, details: { reason, count: rows.length, ...(deviceRef === null ? {} : { device_id: deviceRef }) } }, db);
    }
    return { revoked: rows.length, lists };
  };
  return trx ? run(trx) : deps.db.transaction().execute(run);
}

/** Revokes every unexpired credential of a person (deactivation, the person's request, an operator action). */
export function revokePersonCredentials(deps: RevocationDeps, personId: string, reason: RevocationReason, trx?: Kysely<Database>): Promise<RevocationOutcome> {
  return revokeWhere(deps, personId, reason, null, trx);
}

/** Revokes the credentials a person's device received (device removal). */
export function revokeCredentialsOfDevice(deps: RevocationDeps, personId: string, deviceRef: string, trx?: Kysely<Database>): Promise<RevocationOutcome> {
  return revokeWhere(deps, personId, 'device_removed', deviceRef, trx);
}
