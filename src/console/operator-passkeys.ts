/**
 * The console's passkey ceremonies, with the same signed, once-only challenges as a person's
 * (accounts/passkey-challenges.ts; the purposes differ, so neither is usable for the other): an operator registers a
 * passkey with their enrolment link, signs in with it, and proves themselves again — a step-up —
 * for every act of a four-eyes process. A step-up challenge is bound to the signed-in operator,
 * their session, the act and its target; the assertion must be user-verified (fingerprint, face
 * or PIN, not a tap) and made with one of that operator's own passkeys. Assertions are checked by
 * accounts' checkAssertion, the same check as a person's sign-in.
 */
import type { Kysely } from 'kysely';
import { generateAuthenticationOptions, type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { checkAssertion, registrationOptions, verifyPasskeyRegistration, type PasskeyChallenges, type RelyingPartyConfig } from '../accounts/devices.ts';
import type { Database } from '../storage/schema.ts';
import { ConsoleError } from './errors.ts';
import type { Operator, OperatorPasskey, OperatorRepository } from './operator-repository.ts';

/** Challenge purposes (bound into each challenge's signature). */
const ENROL = 'console_enrol';
const SIGN_IN = 'console_signin';
const STEP_UP = 'console_step_up';
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

export class OperatorPasskeys {
  readonly #operators: OperatorRepository;
  readonly #challenges: PasskeyChallenges;
  readonly #now: () => Date;

  constructor(deps: { operators: OperatorRepository; challenges: PasskeyChallenges; now: () => Date }) {
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
    return registrationOptions(rp, { personId: operator.id, name: operator.name, displayName: operator.name }, existing, this.#challenges.issue(ENROL, operator.id));
  }

  /** Registers the passkey and uses the link up, recording it, in one transaction. */
  async finishEnrolment(token: string, response: RegistrationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const operator = await this.enrolmentOperator(token);
    const challenge = this.#challenges.open(response?.response?.clientDataJSON, ENROL, operator.id);
    if (!challenge) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const verified = await verifyPasskeyRegistration(rp, response, challenge);
    if (!verified.ok) throw ConsoleError('console.passkey_failed', { reason: verified.error.code });
    if (!(await this.#challenges.spend(challenge))) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
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
    return generateAuthenticationOptions({ rpID: rp.rpId, userVerification: 'required', allowCredentials: [], challenge: this.#challenges.issue(SIGN_IN) });
  }

  /** Verifies a passkey assertion of an active operator and records the sign-in. */
  async finishSignIn(response: AuthenticationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const challenge = this.#challenges.open(response?.response?.clientDataJSON, SIGN_IN);
    if (!challenge) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const passkey = typeof response.id === 'string' ? await this.#operators.findPasskey(response.id) : null;
    const operator = passkey ? await this.#operators.find(passkey.operatorId) : null;
    if (!passkey || !operator || operator.status !== 'active') throw ConsoleError('console.unknown_passkey');
    const checked = await checkAssertion(rp, passkey, { response, expectedChallenge: challenge });
    if (!checked.ok) throw ConsoleError('console.passkey_failed', { reason: checked.error.code === 'passkey.user_verification_required' ? 'not_verified' : 'signature' });
    if (!(await this.#challenges.spend(challenge))) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
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
    return generateAuthenticationOptions({ rpID: actor.rp.rpId, userVerification: 'required', allowCredentials: allow, challenge: this.#challenges.issue(STEP_UP, stepUpBinding(actor.operator.id, actor.sessionId, action, target)) });
  }

  /**
   * Checks a step-up for `action` on `target` by `actor`: once the assertion verified, its challenge
   * is used up, so an assertion never counts twice. Refused with console.step_up_required (none
   * given) or console.step_up_failed (a challenge for another operator, session, act or target, or
   * used before; another operator's passkey; no user verification; a bad signature).
   */
  async verifyStepUp(actor: ActingOperator, action: StepUpAction, target: string): Promise<VerifiedStepUp> {
    const response = parseAssertion(actor.assertion);
    if (!response) throw ConsoleError('console.step_up_required');
    // The operator, session, act and target are bound into the challenge's signature.
    const challenge = this.#challenges.open(response.response.clientDataJSON, STEP_UP, stepUpBinding(actor.operator.id, actor.sessionId, action, target));
    if (!challenge) throw ConsoleError('console.step_up_failed', { reason: 'challenge' });
    const passkey: OperatorPasskey | null = await this.#operators.findPasskey(response.id);
    if (!passkey || passkey.operatorId !== actor.operator.id) throw ConsoleError('console.step_up_failed', { reason: 'passkey' });
    const checked = await checkAssertion(actor.rp, passkey, { response, expectedChallenge: challenge });
    if (!checked.ok) throw ConsoleError('console.step_up_failed', { reason: checked.error.code === 'passkey.user_verification_required' ? 'not_verified' : 'signature' });
    if (!(await this.#challenges.spend(challenge))) throw ConsoleError('console.step_up_failed', { reason: 'challenge' });
    const now = this.#now();
    const operators = this.#operators;
    return {
      operatorId: actor.operator.id,
      async commit(trx) {
        if (!(await operators.recordPasskeyUse(passkey.credentialId, passkey.counter, checked.value.newCounter, now, trx))) throw ConsoleError('console.step_up_failed', { reason: 'counter' });
      },
    };
  }
}

/** What a step-up challenge is bound to: one operator, in one session, for one act on one target. */
const stepUpBinding = (operatorId: string, sessionId: string, action: string, target: unknown): string => JSON.stringify([operatorId, sessionId, action, target]);

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
