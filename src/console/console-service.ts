/**
 * The operator console's use cases: operators enrol a passkey with a one-time link and sign in
 * with it (OperatorPasskeys); operators (not auditors) approve and suspend apps, start assisted
 * enrolments, disable other operators and re-issue their enrolment links; and — each act proven
 * by a fresh step-up with the operator's own passkey (OperatorPasskeys.verifyStepUp) — propose,
 * approve and reject revocations, answer appeals, block one person from one app or lift the
 * block, and take every step of an authority request (AuthorityActs). The actor of those acts is
 * the operator the step-up proved, never a value from a request. Every act is written to
 * operator_actions in the same transaction as the act (the step-up's passkey counter too),
 * except an assisted enrolment start, recorded right after EnrolmentService.start.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { PasskeyChallenges, RelyingPartyConfig } from '../accounts/devices.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { AuthorityService } from '../authority/authority-service.ts';
import type { Enrolment } from '../enrolment/states.ts';
import type { EnrolmentService, StartInput } from '../enrolment/service.ts';
import type { AccountableEventSink, RelyingParty, RelyingPartyRegistry } from '../relying-parties/registry.ts';
import type { AppealRow, RevocationRow } from '../revocation/revocation-repository.ts';
import type { RevocationService } from '../revocation/revocation-service.ts';
import type { RevocationReasonCode } from '../revocation/tables.ts';
import type { NetidError } from '../domain/errors.ts';
import { AuthorityActs } from './authority-acts.ts';
import { ConsoleError } from './errors.ts';
import { fieldsTarget, OperatorPasskeys, type ActingOperator, type StepUpAction, type VerifiedStepUp } from './operator-passkeys.ts';
import { isUuid, type Operator, type OperatorRepository } from './operator-repository.ts';
import { OPERATOR_ROLES, type OperatorRole } from './tables.ts';

/** The console is its own WebAuthn relying party: `localhost` on the admin listener's port. */
export function consoleRelyingParty(port: number): RelyingPartyConfig {
  return { rpId: 'localhost', origin: `http://localhost:${port}`, rpName: 'netid console' };
}

export interface ConsoleDeps {
  readonly operators: OperatorRepository;
  readonly challenges: PasskeyChallenges;
  /** The app registry, its accountable-event sink extended by `also` (same transaction). */
  readonly relyingParties: (also: AccountableEventSink) => RelyingPartyRegistry;
  readonly revocation: Pick<RevocationService, 'propose' | 'approve' | 'reject' | 'pending' | 'decided' | 'find' | 'openAppeals' | 'answerAppeal' | 'blockApp' | 'unblockApp' | 'blocks'>;
  readonly authority: Pick<AuthorityService, 'submit' | 'approve' | 'reject' | 'fulfil' | 'proposeDeferralExtension' | 'approveDeferralExtension' | 'list' | 'find'>;
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
  /** Enrolment, sign-in and step-up ceremonies. */
  readonly passkeys: OperatorPasskeys;
  /** The steps of authority requests. */
  readonly authority: AuthorityActs;

  constructor(deps: ConsoleDeps) {
    this.#d = deps;
    this.passkeys = new OperatorPasskeys({ operators: deps.operators, challenges: deps.challenges, now: deps.now });
    this.authority = new AuthorityActs({ authority: deps.authority, operators: deps.operators, persons: deps.persons, stepUp: (actor, action, target) => this.stepUp(actor, action, target), now: deps.now });
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

  /**
   * The gate of every four-eyes act: an operator (not an auditor) proven by a fresh step-up for
   * this act and target. Refusals (console.read_only, console.step_up_*) change nothing.
   */
  async stepUp(actor: ActingOperator, action: StepUpAction, target: string): Promise<VerifiedStepUp> {
    requireActor(actor.operator);
    return this.passkeys.verifyStepUp(actor, action, target);
  }

  /** A proven act, the passkey's counter and the operator-action record, committed together or not at all. */
  async #proven<T>(actor: ActingOperator, action: StepUpAction, target: string, work: (trx: Kysely<Database>, operatorId: string) => Promise<T>): Promise<T> {
    const proof = await this.stepUp(actor, action, target);
    return this.#d.operators.db.transaction().execute(async (trx) => {
      await proof.commit(trx);
      return work(trx, proof.operatorId);
    });
  }

  /** Proposes revoking the credentials of the person holding `webNumber`; a second operator must approve. */
  async proposeRevocation(actor: ActingOperator, input: { webNumber: string; reason: RevocationReasonCode; reference: string; procedure?: string }): Promise<RevocationRow> {
    const proof = await this.stepUp(actor, 'revocation.propose', fieldsTarget(input.webNumber));
    const webNumber = input.webNumber.trim().toUpperCase();
    const personId = webNumber ? await this.#d.persons.findIdByWebNumber(webNumber) : null;
    if (!personId) throw ConsoleError('console.person_not_found');
    return this.#d.operators.db.transaction().execute(async (trx) => {
      await proof.commit(trx);
      const row = await this.#d.revocation.propose({ personId, reason: input.reason, reference: input.reference.trim(), ...(input.procedure?.trim() ? { procedure: input.procedure.trim() } : {}), source: 'operator' }, proof.operatorId, trx);
      await this.#d.operators.recordAction({ operatorId: proof.operatorId, action: 'revocation.proposed', targetType: 'revocation', targetId: row.revocation_id, details: { reason: row.reason, person_id: row.person_id } }, this.#d.now(), trx);
      return row;
    });
  }

  async approveRevocation(actor: ActingOperator, revocationId: string): Promise<RevocationRow> {
    return this.#proven(actor, 'revocation.approve', revocationId, async (trx, operatorId) => {
      const row = await this.#d.revocation.approve(revocationId, operatorId, trx);
      await this.#d.operators.recordAction({ operatorId, action: 'revocation.approved', targetType: 'revocation', targetId: row.revocation_id, details: { person_id: row.person_id, state: row.state } }, this.#d.now(), trx);
      return row;
    });
  }

  async rejectRevocation(actor: ActingOperator, revocationId: string, reason: string): Promise<RevocationRow> {
    return this.#proven(actor, 'revocation.reject', revocationId, async (trx, operatorId) => {
      const row = await this.#d.revocation.reject(revocationId, operatorId, reason.trim(), trx);
      await this.#d.operators.recordAction({ operatorId, action: 'revocation.rejected', targetType: 'revocation', targetId: row.revocation_id, details: { reason: reason.trim().slice(0, 256) } }, this.#d.now(), trx);
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
  async answerAppeal(actor: ActingOperator, appealId: string, decision: string, answer: string): Promise<AppealRow> {
    const proof = await this.stepUp(actor, 'appeal.answer', appealId);
    const text = answer.trim();
    if ((decision !== 'uphold' && decision !== 'dismiss') || text.length < 1 || text.length > 4000) throw ConsoleError('console.answer_required');
    return this.#d.operators.db.transaction().execute(async (trx) => {
      await proof.commit(trx);
      const appeal = await this.#d.revocation.answerAppeal(appealId, proof.operatorId, decision, text, trx);
      await this.#d.operators.recordAction({ operatorId: proof.operatorId, action: decision === 'uphold' ? 'revocation.appeal_upheld' : 'revocation.appeal_dismissed', targetType: 'appeal', targetId: appeal.appeal_id, details: { revocation_id: appeal.revocation_id, person_id: appeal.person_id } }, this.#d.now(), trx);
      return appeal;
    });
  }

  /** Blocks one person's access to one approved app (other apps unaffected; the person is told and can appeal). */
  async blockApp(actor: ActingOperator, input: { webNumber: string; clientId: string; reason: string; reference: string }): Promise<void> {
    const proof = await this.stepUp(actor, 'app_block.block', fieldsTarget(input.webNumber, input.clientId));
    const reason = input.reason.trim();
    const reference = input.reference.trim();
    if (!input.clientId || !reason || !reference || reason.length > 256 || reference.length > 256) throw ConsoleError('console.block_invalid');
    const webNumber = input.webNumber.trim().toUpperCase();
    const personId = webNumber ? await this.#d.persons.findIdByWebNumber(webNumber) : null;
    if (!personId) throw ConsoleError('console.person_not_found');
    const app = await this.#d.relyingParties(async () => {}).find(input.clientId);
    if (!app || app.state !== 'approved') throw ConsoleError('console.app_not_approved');
    await this.#d.operators.db.transaction().execute(async (trx) => {
      await proof.commit(trx);
      if (!(await this.#d.revocation.blockApp(personId, app.clientId, { reason, reference }, proof.operatorId, trx))) throw ConsoleError('console.already_blocked');
      await this.#d.operators.recordAction({ operatorId: proof.operatorId, action: 'app_access.blocked', targetType: 'relying_party', targetId: app.clientId, details: { person_id: personId, reason, reference } }, this.#d.now(), trx);
    });
  }

  /** Blocks in force, newest first, each with the person's web number (what the counter knows them by). */
  async blocks(): Promise<Array<{ personId: string; webNumber: string | null; clientId: string; reason: string; reference: string; blockedBy: string; blockedAt: Date }>> {
    const rows = await this.#d.revocation.blocks();
    return Promise.all(rows.map(async (r) => ({ personId: r.person_id, webNumber: (await this.#d.persons.find(r.person_id))?.webNumber ?? null, clientId: r.client_id, reason: r.reason, reference: r.reference, blockedBy: r.blocked_by, blockedAt: new Date(r.blocked_at) })));
  }

  /** Lifts a block (the person is told in their activity); recorded with the act. */
  async unblockApp(actor: ActingOperator, personId: string, clientId: string): Promise<void> {
    await this.#proven(actor, 'app_block.lift', fieldsTarget(personId, clientId), async (trx, operatorId) => {
      if (!isUuid(personId) || !(await this.#d.revocation.unblockApp(personId, clientId, operatorId, trx))) throw ConsoleError('console.not_blocked');
      await this.#d.operators.recordAction({ operatorId, action: 'app_access.unblocked', targetType: 'relying_party', targetId: clientId, details: { person_id: personId } }, this.#d.now(), trx);
    });
  }

  /** Starts an enrolment from the document the person shows at the counter (same service as POST /api/v1/enrolments). */
  async startAssistedEnrolment(actor: Operator, input: StartInput): Promise<Enrolment> {
    requireActor(actor);
    const enrolment = await this.#d.enrolment.start(input);
    await this.#d.operators.recordAction({ operatorId: actor.id, action: 'enrolment.assisted_started', targetType: 'enrolment', targetId: enrolment.enrolmentId, details: { document_type: enrolment.documentType, assisted: true } }, this.#d.now());
    return enrolment;
  }
}

/** Auditors read; only operators act. */
export function requireActor(operator: Operator): void {
  if (operator.role !== 'operator' || operator.status !== 'active') throw ConsoleError('console.read_only');
}
