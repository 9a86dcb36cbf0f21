/**
 * Passkeys (WebAuthn, @simplewebauthn/server): registration with user verification required,
 * assertions for sign-in and for a guardian's approval, and adding/removing devices later
 * (never the last one) or reporting one lost from another, each change recorded in the person's
 * activity.
 *
 * The relying party is this service: rpID is the issuer's hostname, the expected origin is the
 * issuer's origin (NETID_ISSUER).
 */
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { ActivityRepository } from '../audit/activity.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { defineErrors } from '../domain/errors.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { DeviceError, DeviceRepository, type Device } from './devices-repository.ts';
import type { PasskeyChallenges } from './passkey-challenges.ts';

export { DeviceError, DeviceRepository, type Device } from './devices-repository.ts';
export { CHALLENGE_TTL_MS, challengeOf, PasskeyChallenges } from './passkey-challenges.ts';

export const PasskeyError = defineErrors({
  'passkey.invalid': { status: 400, en: 'The passkey response could not be verified.', zh: '无法验证通行密钥的响应。' },
  'passkey.challenge_invalid': { status: 400, en: 'The passkey challenge is unknown, used or expired; ask for new options.', zh: '通行密钥质询无效、已使用或已过期，请重新获取。' },
  'passkey.unknown_credential': { status: 401, en: 'This passkey is not registered with netid.', zh: '该通行密钥未在 netid 注册。' },
  'passkey.user_verification_required': { status: 400, en: 'The device must verify you (PIN or biometrics).', zh: '设备必须验证您的身份（PIN 或生物识别）。' },
});

export interface RelyingPartyConfig {
  readonly rpId: string;
  readonly origin: string;
  readonly rpName: string;
}

export function relyingPartyFromIssuer(issuer: string): RelyingPartyConfig {
  const url = new URL(issuer);
  return { rpId: url.hostname, origin: url.origin, rpName: 'netid' };
}

export type PasskeyProblem =
  | { readonly code: 'passkey.invalid'; readonly reason: string }
  | { readonly code: 'passkey.unknown_credential' }
  | { readonly code: 'passkey.user_verification_required' }
  | { readonly code: 'passkey.challenge_invalid' };

export interface RegisteredCredential {
  readonly credentialId: string;
  /** COSE public key bytes. */
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly userVerified: boolean;
}

export interface VerifiedAssertion {
  readonly personId: string;
  readonly deviceId: string;
  readonly credentialId: string;
  readonly userVerified: boolean;
}

/** JSON schema of a WebAuthn response (RegistrationResponseJSON or AuthenticationResponseJSON) at every route that takes one; the library checks the rest. */
export const WEBAUTHN_RESPONSE_SCHEMA = { type: 'object', required: ['id', 'rawId', 'response', 'type'], properties: { id: { type: 'string', maxLength: 1024 }, rawId: { type: 'string', maxLength: 1024 }, type: { type: 'string', const: 'public-key' }, response: { type: 'object', additionalProperties: true } }, additionalProperties: true } as const;

/** Options for navigator.credentials.create(): ES256/EdDSA, resident key and user verification required. */
export async function registrationOptions(rp: RelyingPartyConfig, user: { personId: string; name: string; displayName: string }, exclude: readonly string[] = [], challenge?: Uint8Array<ArrayBuffer>): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    ...(challenge ? { challenge } : {}),
    rpName: rp.rpName,
    rpID: rp.rpId,
    userID: uuidBytes(user.personId),
    userName: user.name,
    userDisplayName: user.displayName,
    attestationType: 'none',
    excludeCredentials: exclude.map((id) => ({ id })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [-7, -8],
  });
}

/** Verifies an attestation (registration) response; user verification is required. */
export async function verifyPasskeyRegistration(rp: RelyingPartyConfig, response: RegistrationResponseJSON, expectedChallenge: string): Promise<Result<RegisteredCredential, PasskeyProblem>> {
  try {
    const result = await verifyRegistrationResponse({ response, expectedChallenge, expectedOrigin: rp.origin, expectedRPID: rp.rpId, requireUserVerification: true, supportedAlgorithmIDs: [-7, -8] });
    if (!result.verified) return err({ code: 'passkey.invalid', reason: 'not_verified' });
    const { credential, userVerified } = result.registrationInfo;
    if (!userVerified) return err({ code: 'passkey.user_verification_required' });
    return ok({ credentialId: credential.id, publicKey: credential.publicKey, counter: credential.counter, transports: credential.transports ?? response.response.transports ?? [], userVerified });
  } catch (error) {
    return err(classify(error));
  }
}

function classify(error: unknown): PasskeyProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (/user could not be verified|user verification/i.test(message)) return { code: 'passkey.user_verification_required' };
  return { code: 'passkey.invalid', reason: message.slice(0, 120) };
}

/**
 * Verifies a WebAuthn assertion (the sign-in helper other capabilities call).
 * - finds the device by the response's credential id; when `personId` is given the device must
 *   belong to that person (a guardian's approval, a step-up);
 * - checks challenge, origin, rpID and signature; user verification is required unless
 *   `requireUserVerification: false`, and the result says whether it happened;
 * - then, when given, `spend` uses the challenge up (false: it was used before, a replay);
 * - stores the new signature counter (refusing one that went backwards).
 */
export async function verifyPasskeyAssertion(
  deps: { devices: DeviceRepository; rp: RelyingPartyConfig; now: () => Date },
  input: { response: AuthenticationResponseJSON; expectedChallenge: string; personId?: string; requireUserVerification?: boolean; spend?: () => Promise<boolean> },
): Promise<Result<VerifiedAssertion, PasskeyProblem>> {
  const device = await deps.devices.findByCredentialId(input.response.id);
  if (!device || (input.personId !== undefined && device.personId !== input.personId)) return err({ code: 'passkey.unknown_credential' });
  const checked = await checkAssertion(deps.rp, device, input);
  if (!checked.ok) return checked;
  if (input.spend && !(await input.spend())) return err({ code: 'passkey.challenge_invalid' });
  if (!(await deps.devices.recordUse(device, checked.value.newCounter, deps.now()))) return err({ code: 'passkey.invalid', reason: 'counter' });
  return ok({ personId: device.personId, deviceId: device.deviceId, credentialId: device.credentialId, userVerified: checked.value.userVerified });
}

/**
 * Checks a WebAuthn assertion against one stored credential (whoever stores it: a person's
 * device, an operator's passkey): challenge, origin, rpID, signature and, unless
 * `requireUserVerification: false`, user verification. The caller stores `newCounter`.
 */
export async function checkAssertion(
  rp: RelyingPartyConfig,
  credential: { readonly credentialId: string; readonly publicKey: Uint8Array; readonly counter: number; readonly transports: readonly string[] },
  input: { response: AuthenticationResponseJSON; expectedChallenge: string; requireUserVerification?: boolean },
): Promise<Result<{ newCounter: number; userVerified: boolean }, PasskeyProblem>> {
  const requireUV = input.requireUserVerification ?? true;
  let info;
  try {
    const result = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: input.expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      credential: { id: credential.credentialId, publicKey: new Uint8Array(credential.publicKey), counter: credential.counter, transports: [...credential.transports] as never },
      requireUserVerification: requireUV,
    });
    if (!result.verified) return err({ code: 'passkey.invalid', reason: 'signature' });
    info = result.authenticationInfo;
  } catch (error) {
    return err(classify(error));
  }
  if (requireUV && !info.userVerified) return err({ code: 'passkey.user_verification_required' });
  return ok({ newCounter: info.newCounter, userVerified: info.userVerified });
}

const ADD_DEVICE = 'add_device';

/** The passkey use cases of a signed-in person and of sign-in; each challenge is used once (passkey-challenges.ts). */
export class Passkeys {
  readonly devices: DeviceRepository;
  readonly rp: RelyingPartyConfig;
  readonly challenges: PasskeyChallenges;
  readonly #activity: ActivityRepository;
  readonly #now: () => Date;

  constructor(deps: { devices: DeviceRepository; challenges: PasskeyChallenges; activity: ActivityRepository; rp: RelyingPartyConfig; now: () => Date }) {
    this.devices = deps.devices;
    this.rp = deps.rp;
    this.challenges = deps.challenges;
    this.#activity = deps.activity;
    this.#now = deps.now;
  }

  /** Options for an assertion; `personId` restricts it to that person's devices. */
  async authenticationOptions(purpose: string, personId?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allow = personId ? (await this.devices.listActive(personId)).map((d) => ({ id: d.credentialId, transports: [...d.transports] as never })) : [];
    return generateAuthenticationOptions({ rpID: this.rp.rpId, userVerification: 'required', allowCredentials: allow, challenge: this.challenges.issue(purpose, personId ?? null) });
  }

  /**
   * Finishes an assertion started with `authenticationOptions(purpose, personId?)` (the same
   * purpose and person): checks the challenge in the response's clientDataJSON, verifies, and
   * uses the challenge up (once only) before the sign-in counts. User verification is required
   * unless `requireUserVerification: false` (the result says whether it happened).
   */
  async finishAuthentication(purpose: string, response: AuthenticationResponseJSON, personId?: string, options: { requireUserVerification?: boolean } = {}): Promise<Result<VerifiedAssertion, PasskeyProblem>> {
    const challenge = this.challenges.open(response?.response?.clientDataJSON, purpose, personId ?? null);
    if (!challenge) return err({ code: 'passkey.challenge_invalid' });
    return verifyPasskeyAssertion(
      { devices: this.devices, rp: this.rp, now: this.#now },
      { response, expectedChallenge: challenge, ...(personId !== undefined ? { personId } : {}), ...options, spend: () => this.challenges.spend(challenge) },
    );
  }

  /** Options to add another device for a signed-in person. */
  async addDeviceOptions(personId: string, webNumber: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = (await this.devices.listActive(personId)).map((d) => d.credentialId);
    return registrationOptions(this.rp, { personId, name: webNumber, displayName: `netid ${webNumber}` }, existing, this.challenges.issue(ADD_DEVICE, personId));
  }

  async addDevice(personId: string, response: RegistrationResponseJSON, label: string | null = null): Promise<Result<Device, PasskeyProblem>> {
    const challenge = this.challenges.open(response?.response?.clientDataJSON, ADD_DEVICE, personId);
    if (!challenge) return err({ code: 'passkey.challenge_invalid' });
    const verified = await verifyPasskeyRegistration(this.rp, response, challenge);
    if (!verified.ok) return verified;
    if (!(await this.challenges.spend(challenge))) return err({ code: 'passkey.challenge_invalid' });
    const now = this.#now();
    const deviceId = randomUUID();
    await this.devices.db().transaction().execute(async (trx) => {
      await this.devices.add({ personId, deviceId, credentialId: verified.value.credentialId, publicKey: verified.value.publicKey, counter: verified.value.counter, transports: verified.value.transports, label, now }, trx);
      await this.#activity.record({ personId, type: 'device.added', occurredAt: now, details: { device_id: deviceId } }, trx);
    });
    const device = (await this.devices.listActive(personId)).find((d) => d.deviceId === deviceId);
    return ok(device!);
  }

  /** What other capabilities revoke when a device is removed (web certificates), in the same transaction. */
  readonly deviceRevokers: Array<(personId: string, deviceId: string, trx: Kysely<Database>) => Promise<unknown>> = [];

  async removeDevice(personId: string, deviceId: string): Promise<void> {
    await this.#remove(personId, deviceId, 'device.removed');
  }

  /**
   * A device reported lost from another signed-in device (`reportedFrom`, the device the session
   * was opened with): revoked at once like a removal — its passkey, its web certificates, its
   * sessions — and recorded as lost. The device in hand is not lost: it is removed or signed out.
   */
  async reportLost(personId: string, deviceId: string, reportedFrom: string | null): Promise<void> {
    if (deviceId === reportedFrom) throw DeviceError('device.lost_is_current');
    await this.#remove(personId, deviceId, 'device.reported_lost', reportedFrom ? { reported_from: reportedFrom } : {});
  }

  async #remove(personId: string, deviceId: string, activityType: string, details: Record<string, unknown> = {}): Promise<void> {
    const now = this.#now();
    await this.devices.db().transaction().execute(async (trx) => {
      await this.devices.remove(personId, deviceId, now, trx);
      for (const revoke of this.deviceRevokers) await revoke(personId, deviceId, trx);
      await this.#activity.record({ personId, type: activityType, occurredAt: now, details: { device_id: deviceId, ...details } }, trx);
    });
  }
}

function uuidBytes(uuid: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(uuid.replaceAll('-', ''), 'hex'));
}
