/**
 * The operator console's use cases: operators enrol a passkey with a one-time link and sign in
 * with it; operators (not auditors) approve and suspend apps, propose, approve and reject
 * revocations, block one person from one app, answer appeals, start assisted enrolments at a
 * service counter, disable other operators and re-issue their enrolment links. Every act is
 * written to operator_actions:
 *
 * - in the same transaction as the act: operator creation, passkey registration, sign-in,
 *   disabling an operator, re-issuing a link, app approval and suspension (through the app
 *   registry's accountable-event sink, which runs inside its transition's transaction);
 * - right after the act (the service API takes no transaction): revocation propose / approve /
 *   reject, appeal answers and per-app blocks (RevocationService) and assisted enrolment start
 *   (EnrolmentService.start).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { generateAuthenticationOptions, type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { CHALLENGE_TTL_MS, challengeOf, checkAssertion, registrationOptions, verifyPasskeyRegistration, type RelyingPartyConfig } from '../accounts/devices.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { Enrolment } from '../enrolment/states.ts';
import type { EnrolmentService, StartInput } from '../enrolment/service.ts';
import type { AccountableEventSink, RelyingParty, RelyingPartyRegistry } from '../relying-parties/registry.ts';
import type { AppealRow, RevocationRow } from '../revocation/revocation-repository.ts';
import type { RevocationService } from '../revocation/revocation-service.ts';
import type { RevocationReasonCode } from '../revocation/tables.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import type { NetidError } from '../domain/errors.ts';
import { ConsoleError } from './errors.ts';
import type { Operator, OperatorRepository } from './operator-repository.ts';
import { OPERATOR_ROLES, type OperatorRole } from './tables.ts';

const CHALLENGES = 'console-webauthn';

/** The console is its own WebAuthn relying party: `localhost` on the admin listener's port. */
export function consoleRelyingParty(port: number): RelyingPartyConfig {
  return { rpId: 'localhost', origin: `http://localhost:${port}`, rpName: 'netid console' };
}

export interface ConsoleDeps {
  readonly operators: OperatorRepository;
  readonly challenges: EphemeralStore;
  /** The app registry, its accountable-event sink extended by `also` (same transaction). */
  readonly relyingParties: (also: AccountableEventSink) => RelyingPartyRegistry;
  readonly revocation: Pick<RevocationService, 'propose' | 'approve' | 'reject' | 'pending' | 'decided' | 'find' | 'openAppeals' | 'answerAppeal' | 'blockApp' | 'unblockApp' | 'blocks'>;
  readonly enrolment: Pick<EnrolmentService, 'start'>;
  readonly persons: Pick<PersonRepository, 'findIdByWebNumber' | 'find'>;
  readonly now: () => Date;
}

export interface CreatedOperator {
  readonly operator: Operator;
  readonly enrolmentToken: string;
  readonly expiresAt: Date;
}

export class ConsoleService {
  readonly #d: ConsoleDeps;

  constructor(deps: ConsoleDeps) {
    this.#d = deps;
  }

  get operators(): OperatorRepository {
    return this.#d.operators;
  }

  /** Creates an operator or auditor with a one-time enrolment token (24 h). */
  async createOperator(input: { name?: unknown; role?: unknown }): Promise<CreatedOperator> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    const role = input.role as OperatorRole;
    if (name.length < 1 || name.length > 200 || !OPERATOR_ROLES.includes(role)) throw ConsoleError('console.invalid_operator');
    return this.#d.operators.create({ name, role }, this.#d.now());
  }

  /** The operator an enrolment link belongs to; throws when unknown, used or expired. */
  async enrolmentOperator(token: string): Promise<Operator> {
    const operator = await this.#d.operators.findByEnrolmentToken(token, this.#d.now());
    if (!operator) throw ConsoleError('console.enrolment_link_invalid');
    return operator;
  }

  async enrolmentOptions(token: string, rp: RelyingPartyConfig): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const operator = await this.enrolmentOperator(token);
    const existing = (await this.#d.operators.passkeysOf(operator.id)).map((p) => p.credentialId);
    const options = await registrationOptions(rp, { personId: operator.id, name: operator.name, displayName: operator.name }, existing);
    await this.#saveChallenge(options.challenge, { purpose: 'enrol', operatorId: operator.id });
    return options;
  }

  /** Registers the passkey and uses the link up, recording it, in one transaction. */
  async finishEnrolment(token: string, response: RegistrationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const operator = await this.enrolmentOperator(token);
    const challenge = await this.#takeChallenge(response?.response?.clientDataJSON, 'enrol');
    if (!challenge || challenge.operatorId !== operator.id) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const verified = await verifyPasskeyRegistration(rp, response, challenge.challenge);
    if (!verified.ok) throw ConsoleError('console.passkey_failed', { reason: verified.error.code });
    const now = this.#d.now();
    const { operators } = this.#d;
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
    await this.#saveChallenge(options.challenge, { purpose: 'signin' });
    return options;
  }

  /** Verifies a passkey assertion of an active operator and records the sign-in. */
  async finishSignIn(response: AuthenticationResponseJSON, rp: RelyingPartyConfig): Promise<Operator> {
    const challenge = await this.#takeChallenge(response?.response?.clientDataJSON, 'signin');
    if (!challenge) throw ConsoleError('console.passkey_failed', { reason: 'challenge' });
    const passkey = typeof response.id === 'string' ? await this.#d.operators.findPasskey(response.id) : null;
    const operator = passkey ? await this.#d.operators.find(passkey.operatorId) : null;
    if (!passkey || !operator || operator.status !== 'active') throw ConsoleError('console.unknown_passkey');
    const checked = await checkAssertion(rp, passkey, { response, expectedChallenge: challenge.challenge });
    if (!checked.ok) throw ConsoleError('console.passkey_failed', { reason: checked.error.code === 'passkey.user_verification_required' ? 'not_verified' : 'signature' });
    const newCounter = checked.value.newCounter;
    const now = this.#d.now();
    const { operators } = this.#d;
    await operators.db.transaction().execute(async (trx) => {
      if (!(await operators.recordPasskeyUse(passkey.credentialId, passkey.counter, newCounter, now, trx))) throw ConsoleError('console.passkey_failed', { reason: 'counter' });
      await operators.recordAction({ operatorId: operator.id, action: 'operator.signed_in', targetType: 'operator', targetId: operator.id }, now, trx);
    });
    return operator;
  }

  /** Approves (or reinstates) or suspends an app; the action is recorded in the registry's transaction. */
  async transitionApp(actor: Operator, clientId: string, transition: 'approve' | 'suspend', reason?: string): Promise<RelyingParty> {
    requireActor(actor);
    const now = this.#d.now();
    const registry = this.#d.relyingParties(async (event, trx) => {
      if (event.type !== 'relying_party.approved' && event.type !== 'relying_party.suspended') return;
      await this.#d.operators.recordAction({ operatorId: actor.id, action: event.type, targetType: 'relying_party', targetId: clientId, details: event.reason ? { reason: event.reason.slice(0, 500) } : {} }, now, trx);
    });
    return registry.transition(clientId, transition, actor.id, reason?.trim() ? reason.trim() : undefined);
  }

  /** An act and its operator-action record, committed together or not at all. */
  #recorded<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.#d.operators.db.transaction().execute(work);
  }

  /** Proposes revoking the credentials of the person holding `webNumber`; a second operator must approve. */
  async proposeRevocation(actor: Operator, input: { webNumber: string; reason: RevocationReasonCode; reference: string; procedure?: string }): Promise<RevocationRow> {
    requireActor(actor);
    const webNumber = input.webNumber.trim().toUpperCase();
    const personId = webNumber ? await this.#d.persons.findIdByWebNumber(webNumber) : null;
    if (!personId) throw ConsoleError('console.person_not_found');
    return this.#recorded(async (trx) => {
      const row = await this.#d.revocation.propose({ personId, reason: input.reason, reference: input.reference.trim(), ...(input.procedure?.trim() ? { procedure: input.procedure.trim() } : {}), source: 'operator' }, actor.id, trx);
      await this.#d.operators.recordAction({ operatorId: actor.id, action: 'revocation.proposed', targetType: 'revocation', targetId: row.revocation_id, details: { reason: row.reason, person_id: row.person_id } }, this.#d.now(), trx);
      return row;
    });
  }

  async approveRevocation(actor: Operator, revocationId: string): Promise<RevocationRow> {
    requireActor(actor);
    return this.#recorded(async (trx) => {
      const row = await this.#d.revocation.approve(revocationId, actor.id, trx);
      await this.#d.operators.recordAction({ operatorId: actor.id, action: 'revocation.approved', targetType: 'revocation', targetId: row.revocation_id, details: { person_id: row.person_id, state: row.state } }, this.#d.now(), trx);
      return row;
    });
  }

  async rejectRevocation(actor: Operator, revocationId: string, reason: string): Promise<RevocationRow> {
    requireActor(actor);
    return this.#recorded(async (trx) => {
      const row = await this.#d.revocation.reject(revocationId, actor.id, reason.trim(), trx);
      await this.#d.operators.recordAction({ operatorId: actor.id, action: 'revocation.rejected', targetType: 'revocation', targetId: row.revocation_id, details: { reason: reason.trim().slice(0, 256) } }, this.#d.now(), trx);
      return row;
    });
  }

  pendingRevocations(): Promise<RevocationRow[]> {
    return this.#d.revocation.pending();
  }

  /** Operators and auditors, oldest first, with when each last signed in (null if unknown). */
  async listOperators(): Promise<Array<{ operator: Operator; lastSignInAt: Date | null }>> {
    const [operators, last] = await Promise.all([this.#d.operators.list(), this.#d.operators.lastSignIns()]);
    return operators.map((operator) => ({ operator, lastSignInAt: last.get(operator.id) ?? null }));
  }

  /** Disables another operator or auditor; their sessions end at once (each request re-reads the operator). */
  async disableOperator(actor: Operator, operatorId: string): Promise<Operator> {
    requireActor(actor);
    if (operatorId === actor.id) throw ConsoleError('console.cannot_disable_self');
    const disabled = await this.#d.operators.disable(operatorId, actor.id, this.#d.now());
    if (!disabled) throw await this.#whyNot(operatorId);
    return disabled;
  }

  /** Enables a disabled operator or auditor again (an operator's act, recorded with it). */
  async enableOperator(actor: Operator, operatorId: string): Promise<Operator> {
    requireActor(actor);
    const enabled = await this.#d.operators.enable(operatorId, actor.id, this.#d.now());
    if (!enabled) throw (await this.#d.operators.find(operatorId)) ? ConsoleError('console.operator_not_disabled') : ConsoleError('console.operator_not_found');
    return enabled;
  }

  /**
   * Issues another operator a new one-time enrolment link (their old link and passkeys stop
   * working). The token is returned once; only its hash is kept.
   */
  async reissueEnrolmentLink(actor: Operator, operatorId: string): Promise<CreatedOperator> {
    requireActor(actor);
    if (operatorId === actor.id) throw ConsoleError('console.cannot_reissue_self');
    const issued = await this.#d.operators.reissueEnrolment(operatorId, actor.id, this.#d.now());
    if (!issued) throw await this.#whyNot(operatorId);
    return issued;
  }

  async #whyNot(operatorId: string): Promise<NetidError> {
    return (await this.#d.operators.find(operatorId)) ? ConsoleError('console.operator_not_active') : ConsoleError('console.operator_not_found');
  }

  /**
   * Decided revocations, newest proposal first, `pageSize` per page (page 1 first), with when each
   * was decided: applied, approved or rejected (migration 0008 keeps the rejection time).
   */
  async decidedRevocations(page: number, pageSize: number): Promise<{ rows: Array<{ revocation: RevocationRow; decidedAt: Date | null }>; hasMore: boolean }> {
    const rows = await this.#d.revocation.decided({ limit: pageSize + 1, offset: (Math.max(page, 1) - 1) * pageSize });
    const at = (value: Date | string | null) => (value ? new Date(value) : null);
    return {
      rows: rows.slice(0, pageSize).map((revocation) => ({ revocation, decidedAt: at(revocation.applied_at) ?? at(revocation.approved_at) ?? at(revocation.rejected_at) })),
      hasMore: rows.length > pageSize,
    };
  }

  /** Open appeals, oldest first, each with the revocation it contests. */
  async openAppeals(): Promise<Array<{ appeal: AppealRow; revocation: RevocationRow | null }>> {
    const appeals = await this.#d.revocation.openAppeals();
    return Promise.all(appeals.map(async (appeal) => ({ appeal, revocation: (await this.#d.revocation.find(appeal.revocation_id)) ?? null })));
  }

  /** Upholds or dismisses an open appeal with a written answer the person sees in their activity. */
  async answerAppeal(actor: Operator, appealId: string, decision: string, answer: string): Promise<AppealRow> {
    requireActor(actor);
    const text = answer.trim();
    if ((decision !== 'uphold' && decision !== 'dismiss') || text.length < 1 || text.length > 4000) throw ConsoleError('console.answer_required');
    return this.#recorded(async (trx) => {
      const appeal = await this.#d.revocation.answerAppeal(appealId, actor.id, decision, text, trx);
      await this.#d.operators.recordAction({ operatorId: actor.id, action: decision === 'uphold' ? 'revocation.appeal_upheld' : 'revocation.appeal_dismissed', targetType: 'appeal', targetId: appeal.appeal_id, details: { revocation_id: appeal.revocation_id, person_id: appeal.person_id } }, this.#d.now(), trx);
      return appeal;
    });
  }

  /** Blocks one person's access to one approved app (other apps unaffected; the person is told and can appeal). */
  async blockApp(actor: Operator, input: { webNumber: string; clientId: string; reason: string; reference: string }): Promise<void> {
    requireActor(actor);
    const reason = input.reason.trim();
    const reference = input.reference.trim();
    if (!input.clientId || !reason || !reference || reason.length > 256 || reference.length > 256) throw ConsoleError('console.block_invalid');
    const webNumber = input.webNumber.trim().toUpperCase();
    const personId = webNumber ? await this.#d.persons.findIdByWebNumber(webNumber) : null;
    if (!personId) throw ConsoleError('console.person_not_found');
    const app = await this.#d.relyingParties(async () => {}).find(input.clientId);
    if (!app || app.state !== 'approved') throw ConsoleError('console.app_not_approved');
    await this.#recorded(async (trx) => {
      if (!(await this.#d.revocation.blockApp(personId, app.clientId, { reason, reference }, actor.id, trx))) throw ConsoleError('console.already_blocked');
      await this.#d.operators.recordAction({ operatorId: actor.id, action: 'app_access.blocked', targetType: 'relying_party', targetId: app.clientId, details: { person_id: personId, reason, reference } }, this.#d.now(), trx);
    });
  }

  /** Blocks in force, newest first, each with the person's web number (what the counter knows them by). */
  async blocks(): Promise<Array<{ personId: string; webNumber: string | null; clientId: string; reason: string; reference: string; blockedBy: string; blockedAt: Date }>> {
    const rows = await this.#d.revocation.blocks();
    return Promise.all(rows.map(async (r) => ({ personId: r.person_id, webNumber: (await this.#d.persons.find(r.person_id))?.webNumber ?? null, clientId: r.client_id, reason: r.reason, reference: r.reference, blockedBy: r.blocked_by, blockedAt: new Date(r.blocked_at) })));
  }

  /** Lifts a block (the person is told in their activity); recorded with the act. */
  async unblockApp(actor: Operator, personId: string, clientId: string): Promise<void> {
    requireActor(actor);
    await this.#recorded(async (trx) => {
      if (!(await this.#d.revocation.unblockApp(personId, clientId, actor.id, trx))) throw ConsoleError('console.not_blocked');
      await this.#d.operators.recordAction({ operatorId: actor.id, action: 'app_access.unblocked', targetType: 'relying_party', targetId: clientId, details: { person_id: personId } }, this.#d.now(), trx);
    });
  }

  /** Starts an enrolment from the document the person shows at the counter (same service as POST /api/v1/enrolments). */
  async startAssistedEnrolment(actor: Operator, input: StartInput): Promise<Enrolment> {
    requireActor(actor);
    const enrolment = await this.#d.enrolment.start(input);
    await this.#d.operators.recordAction({ operatorId: actor.id, action: 'enrolment.assisted_started', targetType: 'enrolment', targetId: enrolment.enrolmentId, details: { document_type: enrolment.documentType, assisted: true } }, this.#d.now());
    return enrolment;
  }

  async #saveChallenge(challenge: string, payload: { purpose: 'enrol' | 'signin'; operatorId?: string }): Promise<void> {
    await this.#d.challenges.put(CHALLENGES, challenge, { payload, expiresAt: new Date(this.#d.now().getTime() + CHALLENGE_TTL_MS) });
  }

  /** Takes the challenge a response answers, once; null when unknown, used, expired or for another purpose. */
  async #takeChallenge(clientDataJSON: string | undefined, purpose: 'enrol' | 'signin'): Promise<{ challenge: string; operatorId?: string } | null> {
    const challenge = challengeOf(clientDataJSON);
    if (!challenge) return null;
    const record = await this.#d.challenges.get(CHALLENGES, challenge);
    if (!record || record.consumedAt || record.payload.purpose !== purpose) return null;
    if (!(await this.#d.challenges.consume(CHALLENGES, challenge))) return null;
    return { challenge, ...(typeof record.payload.operatorId === 'string' ? { operatorId: record.payload.operatorId } : {}) };
  }
}

/** Auditors read; only operators act. */
export function requireActor(operator: Operator): void {
  if (operator.role !== 'operator' || operator.status !== 'active') throw ConsoleError('console.read_only');
}
