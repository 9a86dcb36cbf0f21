/** Builds the accountability services of a node (called by the composition root, app.ts). */
import type { Kysely } from 'kysely';
import type { PersonRepository } from '../../accounts/person-repository.ts';
import type { ActivityRepository } from '../../audit/activity.ts';
import { AuthorityService } from '../../authority/authority-service.ts';
import type { Config } from '../../config/schema.ts';
import type { RevocationReason } from '../../credentials/service/index.ts';
import type { KeyStore } from '../../keys/key-store.ts';
import type { AuthoritativeRegistry } from '../../registry/registry.ts';
import type { Sealer } from '../../keys/envelope.ts';
import { RevocationService } from '../../revocation/revocation-service.ts';
import type { RevocationReasonCode } from '../../revocation/tables.ts';
import type { Database } from '../../storage/schema.ts';
import type { Services } from '../../app/services.ts';
import { authorityAdminRoutes, authorityPublicRoutes } from '../../authority/routes.ts';
import type { RouteModule } from '../../http/server.ts';
import { revocationAdminRoutes, revocationPersonRoutes } from '../../revocation/routes.ts';
import { transparencyAdminRoutes, transparencyRoutes } from './routes.ts';
import { logOrigin, TransparencyService } from './transparency-service.ts';

export interface AccountabilityDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly sealer: Sealer;
  readonly keys: KeyStore;
  readonly persons: PersonRepository;
  readonly activity: ActivityRepository;
  /** Confirms registry-reported revocations (RevocationService.reportedByRegistry). */
  readonly registry: AuthoritativeRegistry;
  readonly now: () => Date;
}

export async function buildAccountabilityServices(deps: AccountabilityDeps): Promise<{ transparency: TransparencyService; authority: AuthorityService; revocation: RevocationService }> {
  const transparency = new TransparencyService({
    db: deps.db,
    origin: logOrigin(deps.config.NETID_ISSUER),
    signingKey: await deps.keys.logKey(),
    personKeyMaster: deps.sealer.deriveKey('transparency-person'),
    now: deps.now,
  });
  const authority = new AuthorityService({ db: deps.db, persons: deps.persons, activity: deps.activity, log: transparency, now: deps.now, deferralMaxDays: deps.config.NETID_AUTHORITY_DEFERRAL_MAX_DAYS });
  const revocation = new RevocationService({ db: deps.db, persons: deps.persons, activity: deps.activity, log: transparency, registry: deps.registry, now: deps.now });
  return { transparency, authority, revocation };
}

/** The status-list reason code of each due-process reason. */
export function credentialRevocationReason(reason: RevocationReasonCode): RevocationReason {
  const map: Record<RevocationReasonCode, RevocationReason> = {
    person_request: 'person_request',
    device_lost: 'device_removed',
    document_invalidated: 'document_invalid',
    death: 'person_deactivated',
    fraud_decided: 'fraud',
  };
  return map[reason];
}

/** Public route modules: the log, the person's log entries, revocations and appeals, authority statistics. */
export function accountabilityPublicRoutes(services: Services): RouteModule[] {
  return [transparencyRoutes(services, services.transparency), revocationPersonRoutes(services, services.revocation), authorityPublicRoutes(services.authority)];
}

/** Admin route modules: authority requests, revocations, appeals, per-app blocks, checkpoint on demand. */
export function accountabilityAdminRoutes(services: Services): RouteModule[] {
  return [authorityAdminRoutes(services.authority), revocationAdminRoutes(services.revocation), transparencyAdminRoutes(services)];
}
