/**
 * The console's passkey ceremonies, over one once-only challenge store: an operator registers a
 * passkey with their enrolment link, signs in with it, and proves themselves again — a step-up —
 * for every act of a four-eyes process. A step-up challenge is bound to the signed-in operator,
 * their session, the act and its target; the assertion must be user-verified (fingerprint, face
 * or PIN, not a tap) and made with one of that operator's own passkeys. Assertions are checked by
 * accounts' checkAssertion, the same check as a person's sign-in.
 */
import type { Kysely } from 'kysely';
import { generateAuthenticationOptions, type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { CHALLENGE_TTL_MS, challengeOf, checkAssertion, registrationOptions, verifyPasskeyRegistration, type RelyingPartyConfig } from '../accounts/devices.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import type { Database } from '../storage/schema.ts';
import { ConsoleError } from './errors.ts';
import type { Operator, OperatorPasskey, OperatorRepository } from './operator-repository.ts';

const CHALLENGES = 'console-webauthn';
const TARGET_MAX = 1024;

/** The acts that need a step-up, each bound to its target (an id, or the JSON array of the form fields that name it). */
export const STEP_UP_ACTIONS = [
  'authority.submit',
  'authority.approve',
  'authority.reject',
  'authority.fulfil',
  'authority.extension_propose',
  'authority.extension_approve',
  'revocation.propose',
  'revocation.approve',
  'revocation.reject',
  'appeal.answer',
  'app_block.block',
  'app_block.lift',
] as const;
export type StepUpAction = (typeof STEP_UP_ACTIONS)[number];

/** The target of an act named by several form fields: the JSON array of their values, as the page's script builds it. */
export const fieldsTarget = (...values: readonly string[]): string => JSON.stringify(values);

/** A signed-in operator about to act, with the step-up assertion their page obtained. */
export interface ActingOperator {
  readonly operator: Operator;
  readonly sessionId: string;
  readonly rp: RelyingPartyConfig;
  /** The assertion (its JSON text, as the form posts it, or the object); absent → console.step_up_required. */
  readonly assertion: unknown;
}

/** A checked step-up; `commit` stores the passkey's new counter in the act's transaction (refused if it did not go up). */
export interface VerifiedStepUp {
  readonly operatorId: string;
  commit(trx: Kysely<Database>): Promise<void>;
}

type Purpose = 'enrol' | 'signin' | 'step-up';
interface Challenge {
  readonly challenge: string;
  readonly payload: Record<string, unknown>;
}

export class OperatorPasskeys {
  readonly #operators: OperatorRepository;
  readonly #challenges: EphemeralStore;
  readonly #now: () => Date;

  constructor(deps: { operators: OperatorRepository; challenges: EphemeralStore; now: () => Date }) {
    this.#operators = deps.operators;
    this.#challenges = deps.challenges;
    this.#now = deps.now;
  }

  /** The operator an enrolment link belongs to; throws when unknown, used or expired. */
  async enrolmentOperator(token: string): Promise<Operator> {
    const operator = await this.#operators.findByEnrolmentToken(token, this.#now());
    if (!operator) throw ConsoleError('console.enrolment_link_invalid');
    return operator;
  }

  async enrolmentOptions(token: string, rp: RelyingPartyConfig): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const operator = await this.enrolmentOperator(token);
    const existing = (await this.#operators.passkeysOf(operator.id)).map((p) => p.credentialId);
    const options = await registrationOptions(rp, { personId: operator.id, name: operator.name, displayName: operator.name }, existing);
    await this.#save(options.challenge, { purpose: 'enrol', operatorId: operator.id });
    return options;
  }

  /** Registers the passkey and uses the link up, recording it, in one transaction. */
  async finishEnrolment(token: string, response: RegistrationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const operator = await this.enrolmentOperator(token);
    const challenge = await this.#take(response?.response?.clientDataJSON, 'enrol');
    if (!challenge || challenge.payload.operatorId !== operator.id) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const verified = await verifyPasskeyRegistration(rp, response, challenge.challenge);
    if (!verified.ok) throw ConsoleError('console.passkey_failed', { reason: verified.error.code });
    const now = this.#now();
    const operators = this.#operators;
    return operators.db.transaction().execute(async (trx) => {
      const used = await operators.consumeEnrolmentToken(token, now, trx);
      if (!used || used.id !== operator.id) throw ConsoleError('console.enrolment_link_invalid');
      await operators.addPasskey({ credentialId: verified.value.credentialId, operatorId: operator.id, publicKey: verified.value.publicKey, counter: verified.value.counter, transports: verified.value.transports, createdAt: now }, trx);
      await operators.recordAction({ operatorId: operator.id, action: 'operator.passkey_registered', targetType: 'operator', targetId: operator.id }, now, trx);
      return used;
    });
  }

  async signInOptions(rp: RelyingPartyConfig): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({ rpID: rp.rpId, userVerification: 'required', allowCredentials: [] });
    await this.#save(options.challenge, { purpose: 'signin' });
    return options;
  }

  /** Verifies a passkey assertion of an active operator and records the sign-in. */
  async finishSignIn(response: AuthenticationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const challenge = await this.#take(response?.response?.clientDataJSON, 'signin');
    if (!challenge) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const passkey = typeof response.id === 'string' ? await this.#operators.findPasskey(response.id) : null;
    const operator = passkey ? await this.#operators.find(passkey.operatorId) : null;
    if (!passkey || !operator || operator.status !== 'active') throw ConsoleError('console.unknown_passkey');
    const checked = await checkAssertion(rp, passkey, { response, expectedChallenge: challenge.challenge });
    if (!checked.ok) throw ConsoleError('console.passkey_failed', { reason: checked.error.code === 'passkey.user_verification_required' ? 'not_verified' : 'signature' });
    const now = this.#now();
    const operators = this.#operators;
    await operators.db.transaction().execute(async (trx) => {
      if (!(await operators.recordPasskeyUse(passkey.credentialId, passkey.counter, checked.value.newCounter, now, trx))) throw ConsoleError('console.passkey_failed', { reason: 'counter' });
      await operators.recordAction({ operatorId: operator.id, action: 'operator.signed_in', targetType: 'operator', targetId: operator.id }, now, trx);
    });
    return operator;
  }

  /** Options for a step-up: only the operator's own passkeys, user verification required, bound to the act and its target. Auditors never act. */
  async stepUpOptions(actor: Omit<ActingOperator, 'assertion'>, action: string, target: unknown): Promise<PublicKeyCredentialRequestOptionsJSON> {
    if (actor.operator.role !== 'operator' || actor.operator.status !== 'active') throw ConsoleError('console.read_only');
    if (!(STEP_UP_ACTIONS as readonly string[]).includes(action) || typeof target !== 'string' || target.length < 1 || target.length > TARGET_MAX) throw ConsoleError('console.step_up_invalid');
    const allow = (await this.#operators.passkeysOf(actor.operator.id)).map((p) => ({ id: p.credentialId, transports: [...p.transports] as never }));
    const options = await generateAuthenticationOptions({ rpID: actor.rp.rpId, userVerification: 'required', allowCredentials: allow });
    await this.#save(options.challenge, { purpose: 'step-up', operatorId: actor.operator.id, sessionId: actor.sessionId, action, target });
    return options;
  }

  /**
   * Checks a step-up for `action` on `target` by `actor`: the challenge is used up whatever the
   * outcome, so an assertion never counts twice. Refused with console.step_up_required (none
   * given) or console.step_up_failed (a challenge for another operator, session, act or target;
   * another operator's passkey; no user verification; a bad signature).
   */
  async verifyStepUp(actor: ActingOperator, action: StepUpAction, target: string): Promise<VerifiedStepUp> {
    const response = parseAssertion(actor.assertion);
    if (!response) throw ConsoleError('console.step_up_required');
    const challenge = await this.#take(response.response.clientDataJSON, 'step-up');
    if (!challenge) throw ConsoleError('console.step_up_failed', { reason: 'challenge' });
    const { payload } = challenge;
    if (payload.operatorId !== actor.operator.id || payload.sessionId !== actor.sessionId || payload.action !== action || payload.target !== target) {
      throw ConsoleError('console.step_up_failed', { reason: 'binding' });
    }
    const passkey: OperatorPasskey | null = await this.#operators.findPasskey(response.id);
    if (!passkey || passkey.operatorId !== actor.operator.id) throw ConsoleError('console.step_up_failed', { reason: 'passkey' });
    const checked = await checkAssertion(actor.rp, passkey, { response, expectedChallenge: challenge.challenge });
    if (!checked.ok) throw ConsoleError('console.step_up_failed', { reason: checked.error.code === 'passkey.user_verification_required' ? 'not_verified' : 'signature' });
    const now = this.#now();
    const operators = this.#operators;
    return {
      operatorId: actor.operator.id,
      async commit(trx) {
        if (!(await operators.recordPasskeyUse(passkey.credentialId, passkey.counter, checked.value.newCounter, now, trx))) throw ConsoleError('console.step_up_failed', { reason: 'counter' });
      },
    };
  }

  async #save(challenge: string, payload: Record<string, unknown> & { purpose: Purpose }): Promise<void> {
    await this.#challenges.put(CHALLENGES, challenge, { payload, expiresAt: new Date(this.#now().getTime() + CHALLENGE_TTL_MS) });
  }

  /** Takes the challenge a response answers, once; null when unknown, used, expired or for another purpose. */
  async #take(clientDataJSON: string | undefined, purpose: Purpose): Promise<Challenge | null> {
    const challenge = challengeOf(clientDataJSON);
    if (!challenge) return null;
    const record = await this.#challenges.get(CHALLENGES, challenge);
    if (!record || record.consumedAt || record.payload.purpose !== purpose) return null;
    if (!(await this.#challenges.consume(CHALLENGES, challenge))) return null;
    return { challenge, payload: record.payload };
  }
}

/** The assertion a form posted (JSON text) or a caller passed (object), if it has the shape of one. */
function parseAssertion(value: unknown): AuthenticationResponseJSON | null {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    if (value.length === 0 || value.length > 16_384) return null;
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const candidate = parsed as { id?: unknown; response?: { clientDataJSON?: unknown } };
  if (typeof candidate.id !== 'string' || !candidate.response || typeof candidate.response.clientDataJSON !== 'string') return null;
  return parsed as AuthenticationResponseJSON;
}
