/**
 * Revocation with due process (SPEC F13, §2 "one switch erases a person"). Revoking all of a
 * person's credentials needs a reason from a closed list, a reference (and, for fraud, the named
 * procedure that decided it) and a second operator's approval — except the person's own request,
 * and a registry report that the service has checked against the registry's own record of the
 * person's document (reportedByRegistry): the caller's word is never enough. Applying it revokes the web certificates, holds the
 * person's credentials, tells the person why and how to appeal; an appeal is answered by an
 * operator, and upholding it makes the person eligible for fresh credentials. Suspending one
 * app's access is a separate, per-app block. Every step is an accountable event.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> proposed: propose (reason, reference)
 *   proposed --> approved: approve (second operator; or the person / the registry for exempt cases)
 *   proposed --> rejected: reject
 *   approved --> applied: apply (credentials revoked, person notified)
 *   state appeal {
 *     [*] --> lodged: person appeals an applied revocation
 *     lodged --> upheld: operator upholds (eligible for fresh credentials)
 *     lodged --> dismissed: operator dismisses (answer given)
 *   }
 * ```
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { AuthoritativeRegistry, RegistryStatus } from '../registry/registry.ts';
import type { ActivityRepository } from '../audit/activity.ts';
import type { Database } from '../storage/schema.ts';
import type { AccountableEvent } from '../transparency/service/events.ts';
import type { NetidError } from '../domain/errors.ts';
import { RevocationError } from './errors.ts';
import { RevocationRepository, type AppealRow, type RevocationRow, type Transition } from './revocation-repository.ts';
import { REVOCATION_REASONS, type AppealState, type RevocationReasonCode, type RevocationSource, type RevocationState } from './tables.ts';

export const REVOCATION_TRANSITIONS = {
  approve: { from: ['proposed'], to: 'approved' },
  reject: { from: ['proposed'], to: 'rejected' },
  apply: { from: ['approved'], to: 'applied' },
} as const satisfies Record<string, Transition<RevocationState>>;

export const APPEAL_TRANSITIONS = {
  uphold: { from: ['lodged'], to: 'upheld' },
  dismiss: { from: ['lodged'], to: 'dismissed' },
} as const satisfies Record<string, Transition<AppealState>>;

/**
 * Reasons the registry itself reports, and the statuses of the registry's record of the person's
 * document that confirm each (no operator judgement, so no second approval once confirmed).
 */
const REGISTRY_CONFIRMS: Readonly<Partial<Record<RevocationReasonCode, readonly RegistryStatus[]>>> = {
  document_invalidated: ['revoked', 'lost'],
  death: ['deceased'],
};
export const REGISTRY_REASONS = Object.keys(REGISTRY_CONFIRMS) as readonly RevocationReasonCode[];

/** How the person appeals; shown with the notice (message ids for the UI, text for the API). */
export const APPEAL_INSTRUCTIONS = {
  message_id: 'revocation.appeal_how',
  en: 'If you think this is wrong, appeal from your activity page (or POST /api/v1/me/revocations/{id}/appeal with your statement). An operator must answer; if upheld, your device can ask for fresh credentials.',
  zh: '如您认为有误，可在"活动记录"页面提出申诉（或通过 POST /api/v1/me/revocations/{id}/appeal 提交陈述）。操作员必须答复；申诉成立后，您的设备可重新申请凭证。',
} as const;

export interface RevocationProposal {
  readonly personId: string;
  readonly reason: RevocationReasonCode;
  /** Required for fraud_decided: the procedure that decided it. */
  readonly procedure?: string;
  readonly reference: string;
  readonly source: RevocationSource;
}

export type RevokeCredentials = (personId: string, reason: RevocationReasonCode, trx: Kysely<Database>) => Promise<unknown>;

export interface RevocationServiceDeps {
  readonly db: Kysely<Database>;
  readonly persons: Pick<PersonRepository, 'find' | 'attributes'>;
  readonly activity: Pick<ActivityRepository, 'record'>;
  /** The authoritative registry, which confirms (or not) a registry-reported revocation; none → every such report is refused. */
  readonly registry?: Pick<AuthoritativeRegistry, 'lookup'> | null;
  readonly log: { recordAccountableEvent(event: AccountableEvent, trx?: Kysely<Database>): Promise<void> };
  /** Revokes the person's web certificates (status lists) in the caller's transaction. */
  readonly revokeCredentials?: RevokeCredentials | null;
  readonly now: () => Date;
}

export interface CredentialStatus {
  readonly revoked: boolean;
  /** The person's device may request a fresh batch (never revoked, or reinstated on appeal). */
  readonly eligibleForIssuance: boolean;
  readonly revocationId: string | null;
}

const TEXT_MAX = 256;

export class RevocationService {
  readonly #d: RevocationServiceDeps;
  readonly #repo: RevocationRepository;
  #revokeCredentials: RevokeCredentials | null;

  constructor(deps: RevocationServiceDeps) {
    this.#d = deps;
    this.#revokeCredentials = deps.revokeCredentials ?? null;
    this.#repo = new RevocationRepository({ db: deps.db });
  }

  /** Wires the web-certificate revocation (composition root; the credentials service is built beside this one). */
  setCredentialRevoker(revoke: RevokeCredentials): void {
    this.#revokeCredentials = revoke;
  }

  /**
   * Records a proposal. `actor` is the proposing operator (the console proves them with a step-up)
   * or `person` for the person's own request, which is approved and applied at once; an operator's
   * proposal waits for a second operator. Source `registry` is refused here: reportedByRegistry
   * checks such a report against the registry first.
   */
  async propose(proposal: RevocationProposal, actor: string, outer?: Kysely<Database>): Promise<RevocationRow> {
    const reason = proposal?.reason;
    if (!(REVOCATION_REASONS as readonly string[]).includes(reason) || !isText(proposal.reference) || (reason === 'fraud_decided' && !isText(proposal.procedure))) {
      throw RevocationError('revocation.reason_required', { reasons: REVOCATION_REASONS });
    }
    if (!isText(actor)) throw RevocationError('revocation.field_required', { field: 'operator_id' });
    if ((proposal.source === 'person') !== (reason === 'person_request') || !['person', 'operator'].includes(proposal.source) || (proposal.source === 'person') !== (actor === 'person')) {
      throw RevocationError('revocation.source_mismatch', { reason, source: proposal.source });
    }
    if (!(await this.#d.persons.find(proposal.personId, outer))) throw RevocationError('revocation.person_not_found');
    return this.#record(proposal, actor, proposal.source === 'person', outer);
  }

  /**
   * A revocation the registry reported (automation over the admin API): applied at once, with the
   * registry as actor, only when the registry's own record of the person's document says so
   * (document_invalidated: revoked or lost; death: deceased). Otherwise refused with
   * revocation.registry_not_confirmed and nothing stored — an operator can still propose it, and a
   * second operator approve it, in the console.
   */
  async reportedByRegistry(report: { personId: string; reason: RevocationReasonCode; reference: string }): Promise<RevocationRow> {
    const confirming = REGISTRY_CONFIRMS[report?.reason];
    if (!confirming || !isText(report.reference)) throw RevocationError('revocation.reason_required', { reasons: REGISTRY_REASONS });
    if (!(await this.#d.persons.find(report.personId))) throw RevocationError('revocation.person_not_found');
    const attributes = await this.#d.persons.attributes(report.personId);
    const record = this.#d.registry ? await this.#d.registry.lookup(attributes.document_type, attributes.document_number) : null;
    if (!record || !confirming.includes(record.status)) throw RevocationError('revocation.registry_not_confirmed', { reason: report.reason, registry_status: record?.status ?? null });
    return this.#record({ personId: report.personId, reason: report.reason, reference: report.reference, source: 'registry' }, 'registry', true);
  }

  /** Stores a validated proposal; an exempt one is approved and applied in the same transaction. */
  async #record(proposal: RevocationProposal, actor: string, exempt: boolean, outer?: Kysely<Database>): Promise<RevocationRow> {
    const { reason } = proposal;
    const now = this.#d.now();
    const row: RevocationRow = {
      revocation_id: randomUUID(),
      person_id: proposal.personId,
      state: 'proposed',
      reason,
      procedure: reason === 'fraud_decided' ? proposal.procedure! : null,
      reference: proposal.reference,
      source: proposal.source,
      proposed_by: actor,
      proposed_at: now,
      approved_by: null,
      approved_at: null,
      rejected_by: null,
      rejection_reason: null,
      rejected_at: null,
      applied_at: null,
    };
    return this.#transaction(outer, async (trx) => {
      await this.#repo.insert(row, trx);
      await this.#log(row, 'revocation.proposed', actor, trx);
      if (!exempt) return row;
      const approved = await this.#repo.transition(row.revocation_id, REVOCATION_TRANSITIONS.approve, { approved_by: actor, approved_at: now }, null, trx);
      await this.#log(approved!, 'revocation.approved', actor, trx);
      return this.#apply(approved!, actor, trx);
    });
  }

  /** A second operator approves; the revocation is applied in the same transaction. */
  async approve(revocationId: string, operatorId: string, outer?: Kysely<Database>): Promise<RevocationRow> {
    if (!isText(operatorId)) throw RevocationError('revocation.field_required', { field: 'operator_id' });
    const now = this.#d.now();
    return this.#transaction(outer, async (trx) => {
      const approved = await this.#repo.transition(revocationId, REVOCATION_TRANSITIONS.approve, { approved_by: operatorId, approved_at: now }, (eb) => eb('proposed_by', '<>', operatorId), trx);
      if (!approved) throw await this.#refusal(revocationId, trx);
      await this.#log(approved, 'revocation.approved', operatorId, trx);
      return this.#apply(approved, operatorId, trx);
    });
  }

  /** Applies an approved revocation (retry after a failure); refused while only proposed. */
  async apply(revocationId: string, operatorId: string): Promise<RevocationRow> {
    return this.#d.db.transaction().execute(async (trx) => {
      const row = await this.#repo.find(revocationId, trx);
      if (!row) throw RevocationError('revocation.not_found');
      if (row.state === 'proposed') throw RevocationError('revocation.second_approval_required');
      return this.#apply(row, operatorId, trx);
    });
  }

  async reject(revocationId: string, operatorId: string, reason: string, outer?: Kysely<Database>): Promise<RevocationRow> {
    if (!isText(operatorId) || !isText(reason)) throw RevocationError('revocation.field_required', { field: 'operator_id, reason' });
    return this.#transaction(outer, async (trx) => {
      const row = await this.#repo.transition(revocationId, REVOCATION_TRANSITIONS.reject, { rejected_by: operatorId, rejection_reason: reason, rejected_at: this.#d.now() }, (eb) => eb('proposed_by', '<>', operatorId), trx);
      if (!row) throw await this.#refusal(revocationId, trx);
      await this.#log(row, 'revocation.rejected', operatorId, trx);
      return row;
    });
  }

  /**
   * Why a guarded decision changed nothing: the proposal is unknown, the deciding operator is the
   * proposer (a second operator must decide), or it is no longer proposed.
   */
  async #refusal(revocationId: string, trx: Kysely<Database>): Promise<NetidError> {
    const current = await this.#repo.find(revocationId, trx);
    if (!current) return RevocationError('revocation.not_found');
    if (current.state === 'proposed') return RevocationError('revocation.second_approval_required');
    return RevocationError('revocation.invalid_state', { state: current.state });
  }

  /** Runs `work` in the caller's transaction when given one (so its own record commits with the act), else in a new one. */
  #transaction<T>(outer: Kysely<Database> | undefined, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return outer ? work(outer) : this.#d.db.transaction().execute(work);
  }

  async #apply(approved: RevocationRow, actor: string, trx: Kysely<Database>): Promise<RevocationRow> {
    const now = this.#d.now();
    const row = await this.#repo.transition(approved.revocation_id, REVOCATION_TRANSITIONS.apply, { applied_at: now }, null, trx);
    if (!row) throw RevocationError('revocation.invalid_state', { state: approved.state });
    if (this.#revokeCredentials) await this.#revokeCredentials(row.person_id, row.reason, trx);
    await this.#repo.setHold(row.person_id, 'revoked', row.revocation_id, false, now, trx);
    await this.#d.activity.record(
      {
        personId: row.person_id,
        type: 'revocation.applied',
        occurredAt: now,
        details: { revocation_id: row.revocation_id, reason: row.reason, ...(row.procedure ? { procedure: row.procedure } : {}), reference: row.reference, appeal: { ...APPEAL_INSTRUCTIONS, path: `/api/v1/me/revocations/${row.revocation_id}/appeal` } },
      },
      trx,
    );
    await this.#log(row, 'revocation.applied', actor, trx);
    return row;
  }

  /** The person appeals an applied revocation of their own. */
  async lodgeAppeal(personId: string, revocationId: string, statement: string): Promise<AppealRow> {
    if (typeof statement !== 'string' || statement.trim().length === 0 || statement.length > 4000) throw RevocationError('revocation.field_required', { field: 'statement' });
    const revocation = await this.#repo.find(revocationId);
    if (!revocation || revocation.person_id !== personId || revocation.state !== 'applied') throw RevocationError('revocation.appeal_not_allowed');
    const now = this.#d.now();
    const appeal: AppealRow = { appeal_id: randomUUID(), revocation_id: revocationId, person_id: personId, state: 'lodged', statement, lodged_at: now, answered_by: null, answer: null, answered_at: null };
    return this.#d.db.transaction().execute(async (trx) => {
      if (!(await this.#repo.insertAppeal(appeal, trx))) throw RevocationError('revocation.appeal_not_allowed');
      await this.#d.activity.record({ personId, type: 'revocation.appeal_lodged', occurredAt: now, details: { revocation_id: revocationId, appeal_id: appeal.appeal_id } }, trx);
      await this.#d.log.recordAccountableEvent({ type: 'revocation.appeal_lodged', actor: 'person', personId, ref: revocationId, time: now }, trx);
      return appeal;
    });
  }

  /** An operator answers an open appeal: uphold (credentials reinstatable) or dismiss, with an answer. */
  async answerAppeal(appealId: string, operatorId: string, decision: 'uphold' | 'dismiss', answer: string, outer?: Kysely<Database>): Promise<AppealRow> {
    if (!isText(operatorId) || typeof answer !== 'string' || answer.trim().length === 0) throw RevocationError('revocation.field_required', { field: 'operator_id, answer' });
    if (decision !== 'uphold' && decision !== 'dismiss') throw RevocationError('revocation.field_required', { field: 'decision' });
    const now = this.#d.now();
    return this.#transaction(outer, async (trx) => {
      const appeal = await this.#repo.answerAppeal(appealId, APPEAL_TRANSITIONS[decision], { answered_by: operatorId, answer, answered_at: now }, trx);
      if (!appeal) throw RevocationError('revocation.appeal_not_found');
      if (decision === 'uphold') await this.#repo.setHold(appeal.person_id, 'reinstated', appeal.revocation_id, true, now, trx);
      const type = decision === 'uphold' ? 'revocation.appeal_upheld' : 'revocation.appeal_dismissed';
      await this.#d.activity.record({ personId: appeal.person_id, type, occurredAt: now, details: { revocation_id: appeal.revocation_id, appeal_id: appeal.appeal_id, answer, ...(decision === 'uphold' ? { fresh_credentials: true } : {}) } }, trx);
      await this.#d.log.recordAccountableEvent({ type, actor: operatorId, personId: appeal.person_id, ref: appeal.revocation_id, time: now }, trx);
      return appeal;
    });
  }

  /** What the credential issuer checks before issuing a fresh batch. */
  async credentialStatus(personId: string): Promise<CredentialStatus> {
    const hold = await this.#repo.hold(personId);
    if (!hold) return { revoked: false, eligibleForIssuance: true, revocationId: null };
    return { revoked: hold.state === 'revoked', eligibleForIssuance: hold.eligible_for_issuance, revocationId: hold.revocation_id };
  }

  /** The person's view: their revocations and appeals. */
  async forPerson(personId: string): Promise<{ revocations: RevocationRow[]; appeals: AppealRow[] }> {
    return { revocations: await this.#repo.listByPerson(personId), appeals: await this.#repo.appealsByPerson(personId) };
  }

  pending(): Promise<RevocationRow[]> {
    return this.#repo.listByState('proposed');
  }

  openAppeals(): Promise<AppealRow[]> {
    return this.#repo.openAppeals();
  }

  /** Decided revocations (approved, applied, rejected), newest proposal first; `limit` at most 200. */
  decided(page: { limit: number; offset: number }): Promise<RevocationRow[]> {
    return this.#repo.listDecided({ limit: Math.min(Math.max(Math.trunc(page.limit), 1), 200), offset: Math.max(Math.trunc(page.offset), 0) });
  }

  find(revocationId: string): Promise<RevocationRow | undefined> {
    return this.#repo.find(revocationId);
  }

  /** Suspends one app's access for one person (other apps unaffected). */
  /** Per-app blocks in force, newest first. */
  blocks(limit = 200): Promise<Array<{ person_id: string; client_id: string; reason: string; reference: string; blocked_by: string; blocked_at: Date }>> {
    return this.#repo.listBlocks(limit);
  }

  async blockApp(personId: string, clientId: string, why: { reason: string; reference: string }, operatorId: string, outer?: Kysely<Database>): Promise<boolean> {
    if (!isText(clientId) || !isText(why?.reason) || !isText(why?.reference) || !isText(operatorId)) throw RevocationError('revocation.field_required', { field: 'client_id, reason, reference, operator_id' });
    if (!(await this.#d.persons.find(personId, outer))) throw RevocationError('revocation.person_not_found');
    const now = this.#d.now();
    return this.#transaction(outer, async (trx) => {
      const blocked = await this.#repo.block({ person_id: personId, client_id: clientId, reason: why.reason, reference: why.reference, blocked_by: operatorId, blocked_at: now }, trx);
      if (!blocked) return false;
      await this.#d.activity.record({ personId, type: 'app_access.blocked', occurredAt: now, relyingPartyId: clientId, details: { reason: why.reason, reference: why.reference, appeal: APPEAL_INSTRUCTIONS.message_id } }, trx);
      await this.#d.log.recordAccountableEvent({ type: 'app_access.blocked', actor: operatorId, personId, relyingParty: clientId, reason: why.reason, ref: why.reference, time: now }, trx);
      return true;
    });
  }

  async unblockApp(personId: string, clientId: string, operatorId: string, outer?: Kysely<Database>): Promise<boolean> {
    if (!isText(operatorId)) throw RevocationError('revocation.field_required', { field: 'operator_id' });
    const now = this.#d.now();
    return this.#transaction(outer, async (trx) => {
      if (!(await this.#repo.unblock(personId, clientId, trx))) return false;
      await this.#d.activity.record({ personId, type: 'app_access.unblocked', occurredAt: now, relyingPartyId: clientId, details: {} }, trx);
      await this.#d.log.recordAccountableEvent({ type: 'app_access.unblocked', actor: operatorId, personId, relyingParty: clientId, time: now }, trx);
      return true;
    });
  }

  /** The OIDC side asks this before letting a person sign in to an app. */
  isBlockedForApp(personId: string, clientId: string): Promise<boolean> {
    return this.#repo.isBlocked(personId, clientId);
  }

  async #log(row: RevocationRow, type: AccountableEvent['type'], actor: string, trx: Kysely<Database>): Promise<void> {
    await this.#d.log.recordAccountableEvent({ type, actor, personId: row.person_id, reason: (row.procedure ? `${row.reason}:${row.procedure}` : row.reason).slice(0, TEXT_MAX), ref: row.revocation_id, time: this.#d.now() }, trx);
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= TEXT_MAX;
}
