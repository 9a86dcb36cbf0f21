/**
 * Account recovery (docs/recovery.md): a person who lost their passkeys proves who they are
 * again and keeps who they are. The proofing steps — document and registry, live face, a
 * guardian's approval for a minor — are enrolment's own (EnrolmentService on a repository of
 * purpose `recovery`), with its answers, attempt limits and decision records. Only the end
 * differs: instead of a new person, the new passkey is bound to the enrolled one and every old
 * passkey, session and web certificate of that person ends, in one transaction; afterwards every
 * app the person is connected to is told (back-channel logout with its pairwise `sub`).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { registrationOptions, verifyPasskeyRegistration, type RelyingPartyConfig } from '../accounts/devices.ts';
import type { DeviceRepository } from '../accounts/devices-repository.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { ActivityRepository } from '../audit/activity.ts';
import { NetidError } from '../domain/errors.ts';
import type { EnrolmentRepository } from '../enrolment/enrolment-repository.ts';
import { EnrolmentError } from '../enrolment/errors.ts';
import type { EnrolmentService } from '../enrolment/service.ts';
import { transitions } from '../enrolment/states.ts';
import type { AccountableEvent } from '../transparency/service/events.ts';
import type { Database } from '../storage/schema.ts';
import { RecoveryError } from './errors.ts';
import type { RecoveryNotices } from './notices.ts';

export interface RecoveryDeps {
  /** Enrolment's proofing steps, on the recovery repository. */
  readonly proofing: EnrolmentService;
  readonly recoveries: EnrolmentRepository;
  readonly persons: PersonRepository;
  readonly devices: DeviceRepository;
  readonly activity: ActivityRepository;
  readonly notices: RecoveryNotices;
  readonly rp: RelyingPartyConfig;
  /** What removing one device revokes in its transaction (its sessions, its web certificates): Passkeys.deviceRevokers. */
  readonly deviceRevokers: ReadonlyArray<(personId: string, deviceId: string, trx: Kysely<Database>) => Promise<unknown>>;
  /** Revokes every web certificate the person still holds, in the caller's transaction (after the per-device revokers: those issued without a device). */
  readonly revokeCertificates: (personId: string, trx: Kysely<Database>) => Promise<unknown>;
  /** Ends every netid app session of the person, in the caller's transaction. */
  readonly endSessions: (personId: string, trx: Kysely<Database>) => Promise<unknown>;
  readonly log: { recordAccountableEvent(event: AccountableEvent, trx?: Kysely<Database>): Promise<void> };
  /** Tells the apps the person is connected to, after the commit; returns the client ids told. */
  readonly tellApps: (personId: string) => Promise<readonly string[]>;
  readonly now: () => Date;
  readonly logger?: Logger;
}

export interface Recovered {
  readonly personId: string;
  readonly webNumber: string;
  /** The new passkey's device. */
  readonly deviceId: string;
  readonly devicesRevoked: number;
  readonly appsTold: readonly string[];
}

export class RecoveryService {
  readonly #d: RecoveryDeps;

  constructor(deps: RecoveryDeps) {
    this.#d = deps;
  }

  /** The proofing steps, exactly enrolment's: start, find, faceChallenge, submitFace, guardianOptions, guardianApprove, cancel. */
  get proofing(): EnrolmentService {
    return this.#d.proofing;
  }

  /** Registration options for the new passkey, under the person's own user handle. */
  async passkeyOptions(recoveryId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const flow = await this.#d.proofing.bindable(recoveryId);
    // As at enrolment, the passkey provider is given a neutral label, never the legal name.
    const options = await registrationOptions(this.#d.rp, { personId: flow.personId, name: 'netid', displayName: 'netid' });
    await this.#d.recoveries.updateData(flow, { ...flow.data, passkeyChallenge: options.challenge }, this.#d.now());
    return options;
  }

  /**
   * Binds the new passkey and recovers, in one transaction: the flow moves to `recovered`, the new
   * device is added, every old device is revoked with what it holds (sessions, web certificates),
   * every session ends, the activity, the notice and the log entry are written. Then the apps are
   * told. The person, their web number, pairwise identifiers, consents and history are untouched;
   * a revocation in force stays in force.
   */
  async recover(recoveryId: string, response: RegistrationResponseJSON): Promise<Recovered> {
    const flow = await this.#d.proofing.bindable(recoveryId);
    const challenge = flow.data.passkeyChallenge;
    if (!challenge) throw EnrolmentError('enrolment.wrong_state', { state: flow.state, reason: 'passkey_options_first' });
    const verified = await verifyPasskeyRegistration(this.#d.rp, response, challenge);
    if (!verified.ok) {
      await this.#d.recoveries.recordDecisions(recoveryId, this.#d.now(), [{ step: 'device', check: 'passkey_registration', result: 'fail', details: { reason: verified.error.code } }]);
      throw new NetidError('enrolment.passkey_invalid', { enrolment_id: recoveryId, problem: verified.error.code });
    }
    const personId = flow.personId;
    if (!personId) throw EnrolmentError('enrolment.wrong_state', { state: flow.state });
    const deviceId = randomUUID();
    const now = this.#d.now();
    let outcome: { webNumber: string; devicesRevoked: number };
    try {
      outcome = await this.#d.recoveries.db.transaction().execute(async (trx) => {
        await this.#d.recoveries.transition(recoveryId, flow.state === 'face_verified' ? transitions.recoverAdult : transitions.recoverMinor, now, {}, [
          { step: 'device', check: 'passkey_registration', result: 'pass', details: { user_verified: verified.value.userVerified, attestation: 'none' } },
        ], trx);
        // The person's row lock (which credential issuance and revocation take too): a deactivation
        // or a certificate batch is either before this, or after it and sees the new devices.
        const person = await this.#d.persons.standing(personId, trx, { lock: true });
        if (!person || person.state !== 'active' || !person.webNumber) throw RecoveryError('recovery.not_enrolled', { enrolment_id: recoveryId });
        const old = await this.#d.devices.listActive(personId, trx);
        for (const device of old) for (const revoke of this.#d.deviceRevokers) await revoke(personId, device.deviceId, trx);
        const devicesRevoked = await this.#d.devices.revokeAll(personId, now, trx);
        // No certificate can belong to the new passkey yet: whatever is left was issued before, maybe to the lost device.
        await this.#d.revokeCertificates(personId, trx);
        await this.#d.endSessions(personId, trx);
        await this.#d.devices.add({ personId, deviceId, credentialId: verified.value.credentialId, publicKey: verified.value.publicKey, counter: verified.value.counter, transports: verified.value.transports, now }, trx);
        await this.#d.activity.record({ personId, type: 'account.recovered', occurredAt: now, details: { recovery_id: recoveryId, devices_revoked: devicesRevoked, device_id: deviceId, guardian_approved: flow.state === 'guardian_approved' } }, trx);
        await this.#d.activity.record({ personId, type: 'device.added', occurredAt: now, details: { device_id: deviceId, recovery_id: recoveryId } }, trx);
        await this.#d.notices.record(personId, { recoveryId, recoveredAt: now }, trx);
        await this.#d.log.recordAccountableEvent({ type: 'account.recovered', actor: 'person', personId, ref: recoveryId, time: now }, trx);
        return { webNumber: person.webNumber, devicesRevoked };
      });
    } catch (error) {
      // A passkey registered to someone already cannot be this person's: the recovery ends, as an enrolment does.
      if (error instanceof NetidError && error.code === 'device.already_registered') {
        await this.#d.recoveries.transition(recoveryId, transitions.fail, this.#d.now(), { failureCode: error.code }, [{ step: 'device', check: 'unique', result: 'fail', details: { reason: error.code } }]);
      }
      throw error;
    }
    this.#d.logger?.info({ recovery_id: recoveryId, event: 'account.recovered' }, 'account recovered');
    // After the commit: an app that is slow or down does not hold the recovery back.
    const appsTold = await this.#d.tellApps(personId).catch((error: unknown) => {
      this.#d.logger?.warn({ err: error, recovery_id: recoveryId }, 'telling apps about a recovery failed');
      return [] as string[];
    });
    return { personId, webNumber: outcome.webNumber, deviceId, devicesRevoked: outcome.devicesRevoked, appsTold };
  }

  /** The web number a recovered flow recovered, for its view. */
  async webNumberOf(personId: string): Promise<string | null> {
    return personId ? ((await this.#d.persons.find(personId))?.webNumber ?? null) : null;
  }
}
