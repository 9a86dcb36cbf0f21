/**
 * Builds account recovery for the composition root (src/app/app.ts) from the node's services:
 * enrolment's proofing steps on a repository of purpose `recovery`, the device revokers passkey
 * removal uses, and the notifiers a disconnect uses.
 */
import { relyingPartyFromIssuer } from '../accounts/devices.ts';
import type { Services } from '../app/services.ts';
import { EnrolmentRepository } from '../enrolment/enrolment-repository.ts';
import { EnrolmentService } from '../enrolment/service.ts';
import type { RouteModule } from '../http/server.ts';
import { personGrantsOf } from '../oidc/grants.ts';
import { appTeller } from './connected-apps.ts';
import { RecoveryNotices } from './notices.ts';
import { recoveryRoutes } from './routes.ts';
import { RecoveryService } from './service.ts';

export function buildRecovery(services: Services): { recovery: RecoveryService; notices: RecoveryNotices } {
  const { config, database, sealer, persons, activity, now, logger } = services;
  const recoveries = new EnrolmentRepository({ db: database.db, sealer, purpose: 'recovery' });
  const rp = relyingPartyFromIssuer(config.NETID_ISSUER);
  const devices = services.passkeys.devices;
  const proofing = new EnrolmentService({
    enrolments: recoveries,
    persons,
    devices,
    activity,
    registry: services.registry,
    sealer,
    face: services.faceEngine,
    rp,
    policy: { livenessMode: config.NETID_LIVENESS_MODE, ttlMinutes: config.NETID_ENROLMENT_TTL_MINUTES, maxFaceAttempts: config.NETID_FACE_MAX_ATTEMPTS },
    now,
    logger,
  });
  const notices = new RecoveryNotices({ db: database.db });
  // The grants index in the node's store (the one the connected-apps page and a disconnect read).
  const grants = personGrantsOf(services);
  const recovery = new RecoveryService({
    proofing,
    recoveries,
    persons,
    devices,
    activity,
    notices,
    rp,
    deviceRevokers: services.passkeys.deviceRevokers,
    revokeCertificates: (personId, trx) => services.credentials.revokePersonCredentials(personId, 'device_removed', trx),
    endSessions: (personId, trx) => services.personSessions.endAll(personId, trx),
    log: services.transparency,
    tellApps: appTeller({ activity, grants, notifiers: services.disconnectNotifiers, now }),
    now,
    logger,
  });
  return { recovery, notices };
}

export function recoveryRouteModule(services: Services): RouteModule {
  const { recovery, notices } = buildRecovery(services);
  return recoveryRoutes({ recovery, notices, personSessions: services.personSessions, now: services.now });
}
