/**
 * Deregistration (SPEC F14): a person deactivates. In one transaction their devices are revoked,
 * their identity attributes deleted and their web number retired (PersonRepository.deactivate);
 * only the keyed hash of their document stays, as a tombstone, so a later re-enrolment is
 * possible and auditable. Other capabilities revoke what they hold (web certificates, grants)
 * through `revokers`, in the same transaction. The deactivation is recorded in the activity feed.
 */
import type { Kysely } from 'kysely';
import type { ActivityRepository } from '../audit/activity.ts';
import type { Database } from '../storage/schema.ts';
import type { DeviceRepository } from './devices-repository.ts';
import type { PersonRepository } from './person-repository.ts';

/** Revokes what one capability holds for a person, inside the deactivation transaction. */
export type Revoker = (personId: string, now: Date, trx: Kysely<Database>) => Promise<void>;

export interface DeactivationDeps {
  readonly db: Kysely<Database>;
  readonly persons: PersonRepository;
  readonly devices: DeviceRepository;
  readonly activity: ActivityRepository;
  readonly revokers?: readonly Revoker[];
  readonly now: () => Date;
}

export async function deactivatePerson(deps: DeactivationDeps, personId: string, reason: 'own_request' = 'own_request'): Promise<{ devicesRevoked: number }> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    await deps.persons.deactivate(personId, now, trx);
    const devicesRevoked = await deps.devices.revokeAll(personId, now, trx);
    for (const revoke of deps.revokers ?? []) await revoke(personId, now, trx);
    await deps.activity.record({ personId, type: 'account.deactivated', occurredAt: now, details: { reason, devices_revoked: devicesRevoked } }, trx);
    return { devicesRevoked };
  });
}
