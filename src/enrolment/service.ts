/**
 * The enrolment use cases (SPEC F1–F5, F10): start with a document, verify the face with
 * liveness, a guardian's approval for minors, bind a passkey, issue the web number. Each step is
 * a transition of the stored state machine (states.ts) with its decision records; each takes the
 * few dependencies it uses (STYLE.md §4), the clock and randomness included.
 *
 * Account recovery (src/recovery) runs the proofing steps of this service — document, face,
 * guardian — on a repository of purpose `recovery`; they differ only where the face matched: an
 * enrolment needs a document not yet enrolled, a recovery one that is.
 */
import { randomBytes as nodeRandomBytes, randomUUID } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { Logger } from 'pino';
import { documentKey, PersonError, type IdentityAttributes, type PersonRepository } from '../accounts/person-repository.ts';
import { registrationOptions, verifyPasskeyAssertion, verifyPasskeyRegistration, type RelyingPartyConfig } from '../accounts/devices.ts';
import { DeviceError, type DeviceRepository } from '../accounts/devices-repository.ts';
import type { ActivityRepository } from '../audit/activity.ts';
import { parseIsoDate } from '../domain/dates.ts';
import { documentError, validateDocument } from '../domain/documents/index.ts';
import { NetidError } from '../domain/errors.ts';
import { generateWebNumber } from '../domain/web-number.ts';
import { analyseFace, FaceError, type FaceEngine } from '../face/face-engine.ts';
import { ActiveLivenessError, checkPassiveLiveness, createChallenge, verifyActiveLiveness, type LivenessPrompt } from '../face/liveness/index.ts';
import { matchEmbeddings, modelLabel } from '../face/match-policy.ts';
import type { Sealer } from '../keys/envelope.ts';
import { RegistryError, type AuthoritativeRegistry } from '../registry/registry.ts';
import { checkAgainstRegistry } from './document-check.ts';
import type { Decision, EnrolmentRepository } from './enrolment-repository.ts';
import { EnrolmentError } from './errors.ts';
import { ageGroupOf, ageOn, transitions, type CheckedData, type Enrolment, type EnrolmentIn, type EnrolmentStateName } from './states.ts';

export interface EnrolmentDeps {
  readonly enrolments: EnrolmentRepository;
  readonly persons: PersonRepository;
  readonly devices: DeviceRepository;
  readonly activity: ActivityRepository;
  readonly registry: AuthoritativeRegistry;
  readonly sealer: Sealer;
  readonly face: () => Promise<FaceEngine>;
  readonly rp: RelyingPartyConfig;
  readonly policy: { readonly livenessMode: 'active' | 'passive'; readonly ttlMinutes: number; readonly maxFaceAttempts: number };
  readonly now: () => Date;
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly logger?: Logger;
}

export interface StartInput {
  readonly documentType: string;
  readonly documentNumber: string;
  readonly name: string;
  readonly birthDate: string;
  readonly expiryDate?: string | undefined;
  readonly mrz?: string | undefined;
}

export interface Issued {
  readonly personId: string;
  readonly webNumber: string;
  /** The device the enrolment's passkey became. */
  readonly deviceId: string;
}

/** Failing a step records it; the thrown error carries the enrolment id so the client can look. */
function failure(code: string, detail: Record<string, unknown>): NetidError {
  return new NetidError(code, detail);
}

export class EnrolmentService {
  readonly #d: EnrolmentDeps;
  readonly #random: (n: number) => Uint8Array;

  constructor(deps: EnrolmentDeps) {
    this.#d = deps;
    this.#random = deps.randomBytes ?? ((n) => nodeRandomBytes(n));
  }

  get policy(): EnrolmentDeps['policy'] {
    return this.#d.policy;
  }

  /**
   * Step 1: document validation and the registry check. Whether the document is already enrolled
   * is not looked at here: anyone may type someone's document number, so the answer must be the
   * same (code and work done) for an enrolled document as for any other. It is said only after
   * the face matched (submitFace), to the document's holder.
   */
  async start(input: StartInput): Promise<Enrolment> {
    const { enrolments, registry, sealer } = this.#d;
    const now = this.#d.now();
    const valid = validateDocument({ type: input.documentType, number: input.documentNumber, expiresOn: input.expiryDate, mrz: input.mrz }, now);
    if (!valid.ok) throw documentError(valid.error);
    if (parseIsoDate(input.birthDate) === null) throw EnrolmentError('enrolment.registry_mismatch');
    const key = documentKey(sealer, valid.value.type, valid.value.number);
    const enrolment = await enrolments.create({
      enrolmentId: randomUUID(),
      // A recovery learns its person only once the face matched.
      personId: enrolments.purpose === 'enrolment' ? randomUUID() : null,
      documentKey: key,
      documentType: valid.value.type,
      ageGroup: ageGroupOf(ageOn(input.birthDate, now)),
      now,
      expiresAt: new Date(now.getTime() + this.#d.policy.ttlMinutes * 60_000),
    });
    const id = enrolment.enrolmentId;
    const record = await registry.lookup(valid.value.type, valid.value.number);
    const checked = checkAgainstRegistry(record, { name: input.name, birthDate: input.birthDate, expiryDate: input.expiryDate }, now);
    if (!checked.ok) {
      const decision: Decision = { step: 'document', check: 'registry', result: 'fail', details: { reason: checked.error, registry: 'embedded' } };
      await enrolments.transition(id, transitions.fail, now, { failureCode: checked.error }, [decision]);
      throw failure(checked.error, { enrolment_id: id });
    }
    const found = checked.value;
    const ageGroup = ageGroupOf(ageOn(found.birthDate, now));
    let guardianDocumentKey: string | null = null;
    if (ageGroup !== 'adult') {
      if (!found.guardian) {
        await enrolments.transition(id, transitions.fail, now, { failureCode: 'enrolment.guardian_not_enrolled' }, [{ step: 'document', check: 'guardian_in_registry', result: 'fail', details: { age_group: ageGroup } }]);
        throw failure('enrolment.guardian_not_enrolled', { enrolment_id: id });
      }
      guardianDocumentKey = documentKey(sealer, found.guardian.documentType, found.guardian.documentNumber);
    }
    const attributes: IdentityAttributes = {
      document_type: valid.value.type,
      document_number: found.documentNumber,
      name: found.name,
      birth_date: found.birthDate,
      sex: found.sex,
      nationality: found.nationality,
      expiry_date: found.expiryDate,
    };
    const data: CheckedData = { attributes, guardianDocumentKey, challenge: this.#d.policy.livenessMode === 'active' ? this.#newChallenge() : null };
    return enrolments.transition(id, transitions.checkDocument, now, { data: { ...data } }, [
      { step: 'document', check: 'document_rules', result: 'pass', details: { document_type: valid.value.type } },
      { step: 'document', check: 'registry', result: 'pass', details: { status: found.status, age_group: ageGroup, registry: 'embedded' } },
    ]);
  }

  async find(enrolmentId: string): Promise<Enrolment> {
    const enrolment = await this.#d.enrolments.find(enrolmentId);
    if (!enrolment) throw EnrolmentError('enrolment.not_found');
    const now = this.#d.now();
    if (enrolment.expiresAt <= now && ['started', 'document_checked', 'face_verified', 'guardian_approved', 'device_bound'].includes(enrolment.state)) {
      return this.#d.enrolments.transition(enrolmentId, transitions.expire, now);
    }
    return enrolment;
  }

  /** A fresh active-liveness challenge (replacing any unanswered one). */
  async faceChallenge(enrolmentId: string): Promise<readonly LivenessPrompt[]> {
    const enrolment = await this.#require(enrolmentId, 'document_checked');
    const challenge = this.#newChallenge();
    await this.#d.enrolments.updateData(enrolment, { ...enrolment.data, challenge }, this.#d.now());
    return challenge;
  }

  /**
   * Step 2: face match against the registry portrait, with liveness per the configured mode. A
   * demo identity's sample selfie (development only: the route decides; docs/enrolment.md) is a
   * still photograph that cannot follow head-turn prompts, so it always gets the passive check.
   */
  async submitFace(enrolmentId: string, frames: readonly Uint8Array[], source: 'camera' | 'demo_sample_selfie' = 'camera'): Promise<Enrolment> {
    const { enrolments, registry } = this.#d;
    const mode = source === 'demo_sample_selfie' ? 'passive' : this.#d.policy.livenessMode;
    const max = this.#d.policy.maxFaceAttempts;
    let enrolment = await this.#require(enrolmentId, 'document_checked');
    const challenge = enrolment.data.challenge;
    if (mode === 'active' && !challenge) throw EnrolmentError('enrolment.challenge_required');
    const engine = await this.#d.face();
    const model = modelLabel(engine.modelInfo);
    const { attributes } = enrolment.data;
    // The portrait is fetched for this decision and dropped with it; it is never stored here. It
    // is checked before an attempt is counted: an unusable portrait is not the person's failure.
    const record = await registry.lookup(attributes.document_type, attributes.document_number);
    if (!record) throw EnrolmentError('enrolment.registry_mismatch', { enrolment_id: enrolmentId });
    const portrait = await analyseFace(engine, record.portrait);
    if (!portrait.ok) {
      await enrolments.recordDecisions(enrolmentId, this.#d.now(), [{ step: 'face', check: 'registry_portrait', result: 'fail', details: { reason: portrait.error.code, model } }]);
      throw RegistryError('registry.portrait_unusable', { enrolment_id: enrolmentId });
    }
    const reference = await engine.embed(portrait.value.image, portrait.value.face);
    const attempt = await enrolments.countFaceAttempt(enrolmentId, max, this.#d.now());
    if (attempt === null) {
      await enrolments.transition(enrolmentId, transitions.fail, this.#d.now(), { failureCode: 'enrolment.face_attempts_exhausted' });
      throw failure('enrolment.face_attempts_exhausted', { enrolment_id: enrolmentId });
    }
    // A challenge answers one attempt only.
    if (mode === 'active') {
      enrolment = (await this.#require(enrolmentId, 'document_checked'));
      await enrolments.updateData(enrolment, { ...enrolment.data, challenge: null }, this.#d.now());
    }
    const decisions: Decision[] = [];
    const fail = async (code: string, extra: Record<string, unknown> = {}): Promise<never> => {
      const now = this.#d.now();
      const left = max - attempt;
      if (left <= 0) {
        await enrolments.transition(enrolmentId, transitions.fail, now, { failureCode: 'enrolment.face_attempts_exhausted' }, decisions);
        throw failure('enrolment.face_attempts_exhausted', { enrolment_id: enrolmentId, last_problem: code });
      }
      await enrolments.recordDecisions(enrolmentId, now, decisions);
      throw failure(code, { enrolment_id: enrolmentId, attempts_left: left, ...extra });
    };

    let probe: Float32Array;
    if (mode === 'active') {
      const result = await verifyActiveLiveness(engine, { prompts: challenge! }, frames);
      if (!result.ok) {
        const { code, ...rest } = result.error;
        decisions.push({ step: 'liveness', check: 'active', result: 'fail', details: { reason: code, ...rest, prompts: challenge, model, attempt } });
        await fail(code.startsWith('face.') ? code : 'enrolment.liveness_failed', { problem: code, ...('frame' in rest ? { frame: rest.frame } : {}) });
        throw new TypeError('unreachable');
      }
      decisions.push({ step: 'liveness', check: 'active', result: 'pass', details: { prompts: result.value.prompts, yaws: result.value.yaws.map(round), similarities: result.value.similarities.map(round), model, attempt } });
      probe = result.value.embedding;
    } else {
      if (frames.length !== 1) {
        decisions.push({ step: 'liveness', check: 'passive', result: 'fail', details: { reason: 'liveness.frame_count', expected: 1, got: frames.length, model, attempt } });
        await fail('liveness.frame_count', { expected: 1, got: frames.length });
      }
      const selfie = await analyseFace(engine, frames[0]!);
      if (!selfie.ok) {
        decisions.push({ step: 'face', check: 'selfie', result: 'fail', details: { reason: selfie.error.code, model, attempt } });
        await fail(selfie.error.code);
        throw new TypeError('unreachable');
      }
      const liveness = await checkPassiveLiveness(engine, selfie.value);
      decisions.push({ step: 'liveness', check: 'passive', result: liveness.passed ? 'pass' : 'fail', details: { score: liveness.score, threshold: liveness.threshold, model: liveness.model, attempt, ...(source === 'camera' ? {} : { source }) } });
      if (!liveness.passed) await fail('enrolment.liveness_failed');
      probe = await engine.embed(selfie.value.image, selfie.value.face);
    }
    const match = matchEmbeddings(engine, reference, probe);
    decisions.push({ step: 'face', check: 'match_registry_portrait', result: match.matched ? 'pass' : 'fail', details: { score: match.score, threshold: match.threshold, model: match.model, attempt } });
    if (!match.matched) await fail('enrolment.face_mismatch');
    // Only the document's holder gets this far: now they may learn whether it is enrolled. An
    // enrolment needs it not to be; a recovery needs it to be (and recovers that person).
    const enrolled = await this.#d.persons.findIdByDocumentKey(enrolment.documentKey);
    const recovery = enrolments.purpose === 'recovery';
    const refusal = recovery ? (enrolled ? null : 'recovery.not_enrolled') : enrolled ? 'person.already_enrolled' : null;
    if (refusal) {
      decisions.push({ step: 'document', check: recovery ? 'enrolled' : 'not_enrolled', result: 'fail', details: { reason: refusal, after: 'face_match' } });
      await enrolments.transition(enrolmentId, transitions.fail, this.#d.now(), { failureCode: refusal }, decisions);
      throw refusal === 'person.already_enrolled' ? PersonError(refusal, { enrolment_id: enrolmentId }) : failure(refusal, { enrolment_id: enrolmentId });
    }
    const current = await this.#require(enrolmentId, 'document_checked');
    return enrolments.transition(enrolmentId, transitions.verifyFace, this.#d.now(), { data: { ...current.data, challenge: null, passkeyChallenge: null, guardianChallenge: null }, ...(recovery && enrolled ? { personId: enrolled } : {}) }, decisions);
  }

  /** Step 3 (minors): the assertion options for the guardian the registry names. */
  async guardianOptions(enrolmentId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const enrolment = await this.#require(enrolmentId, 'face_verified');
    if (enrolment.ageGroup === 'adult') throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state, reason: 'no_guardian_needed' });
    const guardianId = await this.#guardianOf(enrolment);
    const allow = (await this.#d.devices.listActive(guardianId)).map((d) => ({ id: d.credentialId }));
    const options = await generateAuthenticationOptions({ rpID: this.#d.rp.rpId, userVerification: 'required', allowCredentials: allow });
    await this.#d.enrolments.updateData(enrolment, { ...enrolment.data, guardianChallenge: options.challenge }, this.#d.now());
    return options;
  }

  /** Step 3 (minors): the guardian approves with their passkey. */
  async guardianApprove(enrolmentId: string, response: AuthenticationResponseJSON): Promise<Enrolment> {
    const enrolment = await this.#require(enrolmentId, 'face_verified');
    if (enrolment.ageGroup === 'adult') throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state, reason: 'no_guardian_needed' });
    const challenge = enrolment.data.guardianChallenge;
    if (!challenge) throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state, reason: 'guardian_options_first' });
    // The challenge answers one attempt only.
    await this.#d.enrolments.updateData(enrolment, { ...enrolment.data, guardianChallenge: null }, this.#d.now());
    const guardianId = await this.#guardianOf(enrolment);
    const verified = await verifyPasskeyAssertion({ devices: this.#d.devices, rp: this.#d.rp, now: this.#d.now }, { response, expectedChallenge: challenge, personId: guardianId });
    const now = this.#d.now();
    if (!verified.ok) {
      await this.#d.enrolments.recordDecisions(enrolmentId, now, [{ step: 'guardian', check: 'guardian_passkey', result: 'fail', details: { reason: verified.error.code } }]);
      throw failure(verified.error.code === 'passkey.unknown_credential' ? 'enrolment.guardian_refused' : 'enrolment.passkey_invalid', { enrolment_id: enrolmentId });
    }
    return this.#d.enrolments.db.transaction().execute(async (trx) => {
      const next = await this.#d.enrolments.transition(enrolmentId, transitions.approveByGuardian, now, { guardianPersonId: guardianId, data: { ...enrolment.data, guardianChallenge: null, passkeyChallenge: null } }, [
        { step: 'guardian', check: 'guardian_passkey', result: 'pass', details: { age_group: enrolment.ageGroup, user_verified: verified.value.userVerified, kind: enrolment.ageGroup === 'child' ? 'applies_for_child' : 'consent' } },
      ], trx);
      const type = enrolment.purpose === 'recovery' ? 'guardian.approved_recovery' : enrolment.ageGroup === 'child' ? 'guardian.enrolled_child' : 'guardian.consented';
      await this.#d.activity.record({ personId: guardianId, type, occurredAt: now, details: { enrolment_id: enrolmentId, child_person_id: enrolment.personId } }, trx);
      return next;
    });
  }

  /** Step 4: registration options for the passkey that will be bound. */
  async passkeyOptions(enrolmentId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const enrolment = await this.bindable(enrolmentId);
    // The passkey provider stores (and may sync to a cloud account) what the options name: never the legal name. The web number is drawn at issuance, so a neutral label.
    const options = await registrationOptions(this.#d.rp, { personId: enrolment.personId, name: 'netid', displayName: 'netid' });
    await this.#d.enrolments.updateData(enrolment, { ...enrolment.data, passkeyChallenge: options.challenge }, this.#d.now());
    return options;
  }

  /** Step 4 and 5: binds the passkey, then issues the web number. */
  async bindPasskey(enrolmentId: string, response: RegistrationResponseJSON): Promise<Issued> {
    const enrolment = await this.bindable(enrolmentId);
    const challenge = enrolment.data.passkeyChallenge;
    if (!challenge) throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state, reason: 'passkey_options_first' });
    const verified = await verifyPasskeyRegistration(this.#d.rp, response, challenge);
    const now = this.#d.now();
    if (!verified.ok) {
      await this.#d.enrolments.recordDecisions(enrolmentId, now, [{ step: 'device', check: 'passkey_registration', result: 'fail', details: { reason: verified.error.code } }]);
      throw failure('enrolment.passkey_invalid', { enrolment_id: enrolmentId, problem: verified.error.code });
    }
    const { passkeyChallenge: _used, ...checked } = enrolment.data;
    const credential = { credentialId: verified.value.credentialId, publicKey: Buffer.from(verified.value.publicKey).toString('base64url'), counter: verified.value.counter, transports: verified.value.transports };
    await this.#d.enrolments.transition(enrolmentId, enrolment.state === 'face_verified' ? transitions.bindDeviceAdult : transitions.bindDeviceMinor, now, { data: { ...checked, guardianChallenge: undefined, credential } }, [
      { step: 'device', check: 'passkey_registration', result: 'pass', details: { user_verified: verified.value.userVerified, attestation: 'none' } },
    ]);
    return this.issue(enrolmentId);
  }

  /**
   * Step 5: issuance. The transition to `issued`, the person, their web number, their device and
   * the activity entries are one transaction: all of it happens, or none. A web number collision
   * retries with a new number.
   */
  async issue(enrolmentId: string): Promise<Issued> {
    const enrolment = await this.#require(enrolmentId, 'device_bound');
    const { attributes, credential } = enrolment.data;
    const deviceId = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const webNumber = generateWebNumber(this.#random);
      const now = this.#d.now();
      try {
        await this.#d.enrolments.db.transaction().execute(async (trx) => {
          const taken = await trx.selectFrom('web_numbers').select('web_number').where('web_number', '=', webNumber).executeTakeFirst();
          if (taken) throw new WebNumberTaken();
          const guardianPersonId = enrolment.guardianPersonId;
          await this.#d.enrolments.transition(enrolmentId, transitions.issue, now, {}, [{ step: 'issuance', check: 'web_number', result: 'pass', details: { attempt, age_group: enrolment.ageGroup } }], trx);
          await this.#d.persons.create({ personId: enrolment.personId, documentKey: enrolment.documentKey, webNumber, attributes, guardianPersonId: enrolment.ageGroup === 'child' ? guardianPersonId : null, now }, trx);
          await this.#d.devices.add({ personId: enrolment.personId, deviceId, credentialId: credential.credentialId, publicKey: Buffer.from(credential.publicKey, 'base64url'), counter: credential.counter, transports: credential.transports, now }, trx);
          const record = (type: string, details: Record<string, unknown>) => this.#d.activity.record({ personId: enrolment.personId, type, occurredAt: now, details }, trx);
          await record('enrolment.completed', { enrolment_id: enrolmentId });
          await record('device.added', { device_id: deviceId });
          if (guardianPersonId) {
            await record(enrolment.ageGroup === 'child' ? 'guardian.linked' : 'guardian.consent_recorded', { guardian_person_id: guardianPersonId });
            await this.#d.activity.record({ personId: guardianPersonId, type: enrolment.ageGroup === 'child' ? 'guardian.child_issued' : 'guardian.minor_issued', occurredAt: now, details: { child_person_id: enrolment.personId } }, trx);
          }
        });
        this.#d.logger?.info({ enrolment_id: enrolmentId, event: 'enrolment.issued' }, 'enrolment issued');
        return { personId: enrolment.personId, webNumber, deviceId };
      } catch (error) {
        if ((error instanceof WebNumberTaken || isUniqueViolation(error, 'web_numbers')) && attempt < 5) continue;
        if (error instanceof NetidError && (error.code === 'person.already_enrolled' || error.code === 'device.already_registered')) {
          await this.#d.enrolments.transition(enrolmentId, transitions.fail, this.#d.now(), { failureCode: error.code }, [{ step: 'issuance', check: 'unique', result: 'fail', details: { reason: error.code } }]);
        }
        throw error;
      }
    }
  }

  async cancel(enrolmentId: string): Promise<Enrolment> {
    return this.#d.enrolments.transition(enrolmentId, transitions.cancel, this.#d.now());
  }

  /** The web number an issued enrolment produced. */
  async webNumberOf(enrolment: Enrolment): Promise<string | null> {
    if (enrolment.state !== 'issued') return null;
    return (await this.#d.persons.find(enrolment.personId))?.webNumber ?? null;
  }

  #newChallenge(): readonly LivenessPrompt[] {
    return createChallenge(this.#random).prompts;
  }

  async #guardianOf(enrolment: EnrolmentIn<'face_verified'>): Promise<string> {
    const key = enrolment.data.guardianDocumentKey;
    const guardianId = key ? await this.#d.persons.findIdByDocumentKey(key) : null;
    if (!guardianId) throw EnrolmentError('enrolment.guardian_not_enrolled', { enrolment_id: enrolment.enrolmentId });
    return guardianId;
  }

  /** The flow, when a passkey may be bound now: the face verified and, for a minor, the guardian approved. */
  async bindable(enrolmentId: string): Promise<EnrolmentIn<'face_verified'> | EnrolmentIn<'guardian_approved'>> {
    const enrolment = await this.find(enrolmentId);
    if (enrolment.state === 'face_verified' && enrolment.ageGroup !== 'adult') throw EnrolmentError('enrolment.guardian_required', { enrolment_id: enrolmentId });
    if (enrolment.state === 'face_verified' || enrolment.state === 'guardian_approved') return enrolment;
    throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state });
  }

  async #require<S extends EnrolmentStateName>(enrolmentId: string, state: S): Promise<EnrolmentIn<S>> {
    const enrolment = await this.find(enrolmentId);
    if (enrolment.state === 'expired') throw EnrolmentError('enrolment.expired');
    if (enrolment.state !== state) throw EnrolmentError('enrolment.wrong_state', { state: enrolment.state });
    return enrolment as EnrolmentIn<S>;
  }
}

class WebNumberTaken extends Error {}

function isUniqueViolation(error: unknown, table: string): boolean {
  const e = error as { code?: string; table?: string; constraint?: string; message?: string };
  return e?.code === '23505' && (e.table === table || (e.constraint ?? '').startsWith(table) || (e.message ?? '').includes(table));
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

export { FaceError, ActiveLivenessError };
