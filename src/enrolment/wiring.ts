/**
 * Builds the enrolment and account services for the composition root (src/app/app.ts), and
 * their route modules. The face engine loads on first use, so a node that never enrols does not
 * pay for the models.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { relyingPartyFromIssuer, PasskeyChallenges, Passkeys } from '../accounts/devices.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import { DeviceRepository } from '../accounts/devices-repository.ts';
import { accountRoutes } from '../accounts/devices-routes.ts';
import type { DeactivationDeps, Revoker } from '../accounts/deactivation.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import { PersonSessions } from '../accounts/person-session.ts';
import { PersonSessionRepository } from '../accounts/person-session-repository.ts';
import type { ActivityRepository } from '../audit/activity.ts';
import type { Config } from '../config/schema.ts';
import type { FaceEngine } from '../face/face-engine.ts';
import { loadOnnxFaceEngine } from '../face/onnx-face-engine.ts';
import type { RouteModule } from '../http/server.ts';
import type { Sealer } from '../keys/envelope.ts';
import { demoSampleSelfie } from '../registry/demo-selfie.ts';
import type { AuthoritativeRegistry } from '../registry/registry.ts';
import type { Database } from '../storage/schema.ts';
import { RecoveryNotices } from '../recovery/notices.ts';
import { EnrolmentRepository } from './enrolment-repository.ts';
import { enrolmentRoutes } from './routes.ts';
import { EnrolmentService } from './service.ts';

export interface EnrolmentServices {
  readonly enrolment: EnrolmentService;
  readonly enrolments: EnrolmentRepository;
  readonly passkeys: Passkeys;
  readonly personSessions: PersonSessions;
  /** Deactivation's dependencies; other capabilities push a Revoker into `revokers`. */
  readonly deactivation: DeactivationDeps & { readonly revokers: Revoker[] };
  readonly faceEngine: () => Promise<FaceEngine>;
}

export function buildEnrolmentServices(base: {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  ephemeral: EphemeralStore;
  sealer: Sealer;
  persons: PersonRepository;
  activity: ActivityRepository;
  registry: AuthoritativeRegistry;
  now: () => Date;
  faceEngine?: () => Promise<FaceEngine>;
}): EnrolmentServices {
  let engine: Promise<FaceEngine> | undefined;
  const faceEngine =
    base.faceEngine ??
    (() => {
      engine ??= loadOnnxFaceEngine().catch((error: unknown) => {
        engine = undefined;
        throw error;
      });
      return engine;
    });
  const rp = relyingPartyFromIssuer(base.config.NETID_ISSUER);
  const devices = new DeviceRepository({ db: base.db });
  const enrolments = new EnrolmentRepository({ db: base.db, sealer: base.sealer });
  const enrolment = new EnrolmentService({
    enrolments,
    persons: base.persons,
    devices,
    activity: base.activity,
    registry: base.registry,
    sealer: base.sealer,
    face: faceEngine,
    rp,
    policy: { livenessMode: base.config.NETID_LIVENESS_MODE, ttlMinutes: base.config.NETID_ENROLMENT_TTL_MINUTES, maxFaceAttempts: base.config.NETID_FACE_MAX_ATTEMPTS },
    now: base.now,
    logger: base.logger,
  });
  const personSessions = new PersonSessions({
    sealer: base.sealer,
    sessions: new PersonSessionRepository({ db: base.db }),
    now: base.now,
    issuer: base.config.NETID_ISSUER,
    policy: { idleMinutes: base.config.NETID_SESSION_IDLE_MINUTES, maxHours: base.config.NETID_SESSION_MAX_HOURS },
  });
  const challenges = new PasskeyChallenges({ key: base.sealer.deriveKey('webauthn-challenges'), spent: base.ephemeral, now: base.now });
  const passkeys = new Passkeys({ devices, challenges, activity: base.activity, rp, now: base.now });
  // Removing a passkey ends the sessions opened with it; deactivating ends them all (in the same transaction).
  passkeys.deviceRevokers.push((personId, deviceId, trx) => personSessions.endForDevice(personId, deviceId, trx));
  const endSessions: Revoker = async (personId, _now, trx) => void (await personSessions.endAll(personId, trx));
  return {
    enrolment,
    enrolments,
    passkeys,
    personSessions,
    deactivation: { db: base.db, persons: base.persons, devices, activity: base.activity, revokers: [endSessions], now: base.now },
    faceEngine,
  };
}

export function enrolmentRouteModules(services: EnrolmentServices & { config: Config; persons: PersonRepository; activity: ActivityRepository; now: () => Date }): RouteModule[] {
  const recoveryNotices = new RecoveryNotices({ db: services.enrolments.db });
  // Demo identities' sample selfies: development only (docs/enrolment.md).
  const sampleSelfie = services.config.NODE_ENV === 'production' ? null : (documentType: string, documentNumber: string) => demoSampleSelfie({ faceEngine: services.faceEngine }, documentType, documentNumber);
  return [
    enrolmentRoutes({ enrolment: services.enrolment, personSessions: services.personSessions, sampleSelfie }),
    accountRoutes({ persons: services.persons, passkeys: services.passkeys, activity: services.activity, personSessions: services.personSessions, deactivation: services.deactivation, recoveryNotice: (personId) => recoveryNotices.pending(personId), now: services.now }),
  ];
}
