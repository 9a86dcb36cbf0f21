/**
 * The services one netid node holds. Built once by the composition root (app.ts); each use case
 * takes only the few it needs (STYLE.md §4).
 */
import type { Logger } from 'pino';
import type { ActivityRepository } from '../audit/activity.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { Config } from '../config/schema.ts';
import type { Metrics } from '../http/metrics.ts';
import type { DatabaseKeyStore } from '../keys/database-key-store.ts';
import type { Sealer } from '../keys/envelope.ts';
import type { EmbeddedRegistry } from '../registry/embedded-registry.ts';
import type { AuthoritativeRegistry } from '../registry/registry.ts';
import type { DatabaseHandle } from '../storage/database.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import type { RedisCommands } from '../storage/redis-commands.ts';
import type { TransparencyService } from '../transparency/service/transparency-service.ts';
import type { AuthorityService } from '../authority/authority-service.ts';
import type { RevocationService } from '../revocation/revocation-service.ts';
import type { EnrolmentServices } from '../enrolment/wiring.ts';
import type { WebCertificateService } from '../credentials/service/web-certificate-service.ts';
import type { DisconnectNotifier } from '../oidc/grants.ts';

export interface Services extends EnrolmentServices {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: DatabaseHandle;
  /** The node's one store of short-lived protocol state (src/storage/open-ephemeral-store.ts). */
  readonly ephemeral: EphemeralStore;
  /** The node's Redis connection when NETID_REDIS_URL is set. */
  readonly redis: RedisCommands | null;
  readonly sealer: Sealer;
  readonly keys: DatabaseKeyStore;
  readonly persons: PersonRepository;
  readonly activity: ActivityRepository;
  readonly registry: AuthoritativeRegistry;
  /** Present when the embedded reference registry is in use. */
  readonly embeddedRegistry: EmbeddedRegistry | null;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** Web certificates: issuance, status lists, revocation (src/credentials/service). */
  readonly credentials: WebCertificateService;
  /** The transparency log; recordAccountableEvent(event, trx) for every accountable act. */
  readonly transparency: TransparencyService;
  readonly authority: AuthorityService;
  readonly revocation: RevocationService;
  /** Told when a person disconnects an app (the OIDC provider pushes its back-channel logout here). */
  readonly disconnectNotifiers: DisconnectNotifier[];
}
