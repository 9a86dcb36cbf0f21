/**
 * Authority requests with bounded secrecy (SPEC F12, §2 "confidential access"). An authority's
 * request for the identity behind a web number, or for its activity records in a time window,
 * is recorded with its legal basis and requesting body, approved by two operators who are not
 * the submitter, and fulfilled by releasing exactly the approved scope. Every step is an
 * accountable event in the transparency log. The person's notice is an activity entry created
 * at submission; it may be deferred (reason + end date ≤ NETID_AUTHORITY_DEFERRAL_MAX_DAYS,
 * extendable once by two operators) and then becomes visible by itself (activity.visible_from).
 *
 * While a notice is deferred the log entries of the request carry no person commitment (the
 * person scanning the log must not learn early); at release, an `authority.notice_released`
 * entry names the person and carries the request id, linking them to the earlier entries.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IdentityAttributes, PersonRepository } from '../accounts/person-repository.ts';
import type { ActivityRepository } from '../audit/activity.ts';
import type { Database } from '../storage/schema.ts';
import type { AccountableEvent } from '../transparency/service/events.ts';
import { AuthorityRepository, type AuthorityRequestRow, type MonthlyAuthorityCounts, type ReleasedActivityRecord } from './authority-repository.ts';
import { AuthorityError } from './errors.ts';
import { AUTHORITY_TRANSITIONS } from './states.ts';

const DAY_MS = 86_400_000;
const TEXT_MAX = 256;

export interface AuthorityRequestInput {
  /** The person, by web number (as an authority knows them) or, internally, by person id. */
  readonly subject: { readonly webNumber: string } | { readonly personId: string };
  readonly requestingBody: string;
  readonly legalBasis: { readonly statute: string; readonly caseReference: string };
  readonly scope: { readonly kind: 'identity' } | { readonly kind: 'records'; readonly from: Date; readonly to: Date };
  readonly deferral?: { readonly reason: string; readonly until: Date };
}

/**
 * Work the caller adds to a step's transaction (the console: the step-up's passkey counter and
 * its operator-action record), run after the step is stored; if it throws, the step is undone.
 */
export type Within = (row: AuthorityRequestRow, trx: Kysely<Database>) => Promise<void>;

export interface ReleasedData {
  readonly identity?: IdentityAttributes;
  readonly records?: readonly ReleasedActivityRecord[];
}

export interface AuthorityServiceDeps {
  readonly db: Kysely<Database>;
  readonly persons: Pick<PersonRepository, 'findIdByWebNumber' | 'find' | 'attributes'>;
  readonly activity: Pick<ActivityRepository, 'record' | 'rescheduleHidden' | 'listInWindow'>;
  readonly log: { recordAccountableEvent(event: AccountableEvent, trx?: Kysely<Database>): Promise<void> };
  readonly now: () => Date;
  readonly deferralMaxDays: number;
}

export class AuthorityService {
  readonly #d: AuthorityServiceDeps;
  readonly #repo: AuthorityRepository;

  constructor(deps: AuthorityServiceDeps) {
    this.#d = deps;
    this.#repo = new AuthorityRepository({ db: deps.db });
  }

  async find(requestId: string): Promise<AuthorityRequestRow> {
    const row = await this.#repo.find(requestId);
    if (!row) throw AuthorityError('authority.not_found');
    return row;
  }

  list(state?: AuthorityRequestRow['state']): Promise<AuthorityRequestRow[]> {
    return this.#repo.list(state);
  }

  monthlyCounts(): Promise<MonthlyAuthorityCounts[]> {
    return this.#repo.monthlyCounts();
  }

  /**
   * Each step's `operatorId` is the operator the console proved with a step-up (src/console); no
   * HTTP route passes a value from a request body here.
   */
  async submit(input: AuthorityRequestInput, operatorId: string, within?: Within): Promise<AuthorityRequestRow> {
    const now = this.#d.now();
    requireText(operatorId, 'operator_id');
    requireText(input.requestingBody, 'requesting_body');
    if (!isText(input.legalBasis?.statute) || !isText(input.legalBasis?.caseReference)) throw AuthorityError('authority.legal_basis_required');
    if (input.scope.kind === 'records' && !(input.scope.from < input.scope.to && input.scope.from <= now)) throw AuthorityError('authority.bad_window');
    if (input.deferral) this.#checkDeferral(input.deferral, now, now);
    const personId = 'personId' in input.subject ? input.subject.personId : await this.#d.persons.findIdByWebNumber(input.subject.webNumber);
    if (!personId || !(await this.#d.persons.find(personId))) throw AuthorityError('authority.person_not_found');

    const requestId = randomUUID();
    const deferredUntil = input.deferral?.until ?? null;
    return this.#d.db.transaction().execute(async (trx) => {
      // The notice exists from the first moment; a deferral only moves when the person sees it.
      const noticeId = await this.#d.activity.record(
        {
          personId,
          type: 'authority.request',
          occurredAt: now,
          details: { request_id: requestId, requesting_body: input.requestingBody, legal_statute: input.legalBasis.statute, case_reference: input.legalBasis.caseReference, scope: scopeDetails(input.scope), ...(deferredUntil ? { deferred_until: deferredUntil.toISOString(), deferral_reason: input.deferral!.reason } : {}) },
          visibleFrom: deferredUntil ?? now,
        },
        trx,
      );
      const row: AuthorityRequestRow = {
        request_id: requestId,
        person_id: personId,
        state: 'submitted',
        requesting_body: input.requestingBody,
        legal_statute: input.legalBasis.statute,
        case_reference: input.legalBasis.caseReference,
        scope: input.scope.kind,
        window_from: input.scope.kind === 'records' ? input.scope.from : null,
        window_to: input.scope.kind === 'records' ? input.scope.to : null,
        submitted_by: operatorId,
        submitted_at: now,
        first_approver: null,
        second_approver: null,
        approved_at: null,
        rejected_by: null,
        rejection_reason: null,
        decided_at: null,
        fulfilled_by: null,
        fulfilled_at: null,
        notice_activity_id: noticeId,
        notice_occurred_at: now,
        deferral_reason: input.deferral?.reason ?? null,
        deferral_until: deferredUntil,
        notice_released_at: deferredUntil ? null : now,
        extension_proposed_by: null,
        extension_reason: null,
        extension_until: null,
        extension_approved_by: null,
      };
      await this.#repo.insert(row, trx);
      await this.#log(row, { type: 'authority.submitted', actor: operatorId, reason: input.legalBasis.statute, claims: scopeClaims(input.scope.kind) }, trx);
      await within?.(row, trx);
      return row;
    });
  }

  /** One operator's approval: the first moves nothing, the second (another operator) approves. */
  async approve(requestId: string, operatorId: string, within?: Within): Promise<AuthorityRequestRow> {
    requireText(operatorId, 'operator_id');
    const now = this.#d.now();
    return this.#d.db.transaction().execute(async (trx) => {
      const first = await this.#repo.transition(requestId, AUTHORITY_TRANSITIONS.firstApproval, { first_approver: operatorId }, (eb) => eb.and([eb('first_approver', 'is', null), eb('submitted_by', '<>', operatorId)]), trx);
      if (first) {
        await this.#log(first, { type: 'authority.approval', actor: operatorId }, trx);
        await within?.(first, trx);
        return first;
      }
      const second = await this.#repo.transition(
        requestId,
        AUTHORITY_TRANSITIONS.secondApproval,
        { second_approver: operatorId, approved_at: now, decided_at: now },
        (eb) => eb.and([eb('first_approver', 'is not', null), eb('first_approver', '<>', operatorId), eb('submitted_by', '<>', operatorId)]),
        trx,
      );
      if (second) {
        await this.#log(second, { type: 'authority.approved', actor: operatorId }, trx);
        await within?.(second, trx);
        return second;
      }
      const row = await this.#repo.find(requestId, trx);
      if (!row) throw AuthorityError('authority.not_found');
      if (row.state !== 'submitted') throw AuthorityError('authority.invalid_state', { state: row.state });
      if (row.submitted_by === operatorId) throw AuthorityError('authority.submitter_cannot_approve');
      throw AuthorityError('authority.same_approver');
    });
  }

  async reject(requestId: string, operatorId: string, reason: string, within?: Within): Promise<AuthorityRequestRow> {
    requireText(operatorId, 'operator_id');
    requireText(reason, 'reason');
    const now = this.#d.now();
    return this.#d.db.transaction().execute(async (trx) => {
      const row = await this.#repo.transition(requestId, AUTHORITY_TRANSITIONS.reject, { rejected_by: operatorId, rejection_reason: reason, decided_at: now }, null, trx);
      if (!row) throw await this.#whyNot(requestId, trx);
      await this.#d.activity.record({ personId: row.person_id, type: 'authority.rejected', occurredAt: now, details: { request_id: row.request_id, reason } }, trx);
      await this.#log(row, { type: 'authority.rejected', actor: operatorId, reason: 'rejected' }, trx);
      await within?.(row, trx);
      // Nothing was released: no reason remains to keep the notice from the person.
      if (!row.notice_released_at) return this.#releaseNotice(row, now, trx);
      return row;
    });
  }

  /** Releases exactly the approved scope to the operator fulfilling the request (not its submitter). */
  async fulfil(requestId: string, operatorId: string, within?: Within): Promise<{ request: AuthorityRequestRow; released: ReleasedData }> {
    requireText(operatorId, 'operator_id');
    const current = await this.find(requestId);
    if (current.state === 'submitted') throw AuthorityError('authority.needs_two_approvals', { approvals: current.first_approver ? 1 : 0 });
    if (current.state !== 'approved') throw AuthorityError('authority.invalid_state', { state: current.state });
    if (current.submitted_by === operatorId) throw AuthorityError('authority.submitter_cannot_fulfil');
    const released: ReleasedData =
      current.scope === 'identity'
        ? { identity: await this.#d.persons.attributes(current.person_id) }
        : { records: await this.#d.activity.listInWindow(current.person_id, current.window_from!, current.window_to!, { excludeTypesLike: 'authority.%' }) };
    const claims = released.identity ? Object.keys(released.identity).sort() : ['activity_records'];
    const now = this.#d.now();
    const request = await this.#d.db.transaction().execute(async (trx) => {
      const row = await this.#repo.transition(
        requestId,
        AUTHORITY_TRANSITIONS.fulfil,
        { fulfilled_by: operatorId, fulfilled_at: now },
        (eb) => eb.and([eb('second_approver', 'is not', null), eb('first_approver', 'is not', null), eb('submitted_by', '<>', operatorId)]),
        trx,
      );
      if (!row) throw await this.#whyNot(requestId, trx);
      await this.#d.activity.record(
        { personId: row.person_id, type: 'authority.fulfilled', occurredAt: now, details: { request_id: row.request_id, requesting_body: row.requesting_body, released: claims, ...(released.records ? { records: released.records.length } : {}) }, visibleFrom: row.notice_released_at ? now : row.deferral_until! },
        trx,
      );
      await this.#log(row, { type: 'authority.disclosure', actor: operatorId, reason: row.legal_statute, claims }, trx);
      await within?.(row, trx);
      return row;
    });
    return { request, released };
  }

  /** First half of the one allowed extension: an operator proposes a new end date and reason. */
  async proposeDeferralExtension(requestId: string, operatorId: string, extension: { reason: string; until: Date }, within?: Within): Promise<AuthorityRequestRow> {
    requireText(operatorId, 'operator_id');
    const now = this.#d.now();
    const current = await this.find(requestId);
    if (!current.deferral_until || current.notice_released_at || current.extension_approved_by || current.deferral_until <= now) throw AuthorityError('authority.extension_not_allowed');
    this.#checkDeferral(extension, now, current.deferral_until);
    if (extension.until <= current.deferral_until) throw AuthorityError('authority.deferral_invalid', { reason: 'an extension must end later than the current deferral' });
    return this.#d.db.transaction().execute(async (trx) => {
      const row = await this.#repo.update(
        requestId,
        { extension_proposed_by: operatorId, extension_reason: extension.reason, extension_until: extension.until },
        (eb) => eb.and([eb('notice_released_at', 'is', null), eb('extension_approved_by', 'is', null), eb('deferral_until', '=', current.deferral_until!)]),
        trx,
      );
      if (!row) throw AuthorityError('authority.extension_not_allowed');
      await this.#log(row, { type: 'authority.deferral_extension_proposed', actor: operatorId, reason: extension.reason }, trx);
      await within?.(row, trx);
      return row;
    });
  }

  /** Second half: another operator approves; the notice moves to the new end date. */
  async approveDeferralExtension(requestId: string, operatorId: string, within?: Within): Promise<AuthorityRequestRow> {
    requireText(operatorId, 'operator_id');
    const now = this.#d.now();
    return this.#d.db.transaction().execute(async (trx) => {
      const current = await this.#repo.find(requestId, trx);
      if (!current) throw AuthorityError('authority.not_found');
      if (!current.extension_until || current.extension_proposed_by === operatorId) throw AuthorityError('authority.extension_not_allowed', { reason: 'needs a proposal and a second, different operator' });
      const row = await this.#repo.update(
        requestId,
        { extension_approved_by: operatorId, deferral_until: current.extension_until, deferral_reason: current.extension_reason },
        (eb) => eb.and([eb('notice_released_at', 'is', null), eb('extension_approved_by', 'is', null), eb('extension_proposed_by', '<>', operatorId), eb('deferral_until', '>', now)]),
        trx,
      );
      if (!row) throw AuthorityError('authority.extension_not_allowed');
      await this.#rescheduleNotice(row, row.deferral_until!, now, trx);
      await this.#log(row, { type: 'authority.deferral_extended', actor: operatorId, reason: row.deferral_reason! }, trx);
      await within?.(row, trx);
      return row;
    });
  }

  /** Releases every deferred notice whose end date has passed (the scheduled job calls this). */
  async releaseDueNotices(): Promise<number> {
    const now = this.#d.now();
    let released = 0;
    for (const due of await this.#repo.dueNotices(now)) {
      const row = await this.#d.db.transaction().execute((trx) => this.#releaseNotice(due, now, trx));
      if (row.notice_released_at) released++;
    }
    return released;
  }

  async #releaseNotice(row: AuthorityRequestRow, now: Date, trx: Kysely<Database>): Promise<AuthorityRequestRow> {
    const updated = await this.#repo.update(row.request_id, { notice_released_at: now }, (eb) => eb('notice_released_at', 'is', null), trx);
    if (!updated) return row;
    // Visible from now at the latest (an early release after rejection), never later than recorded.
    if (!row.deferral_until || row.deferral_until > now) await this.#rescheduleNotice(updated, now, now, trx);
    await this.#d.log.recordAccountableEvent({ type: 'authority.notice_released', actor: 'system', personId: updated.person_id, ref: updated.request_id, time: now }, trx);
    return updated;
  }

  /** Moves the request's still-hidden entries in the person's activity (the notice and any outcome). */
  async #rescheduleNotice(row: AuthorityRequestRow, visibleFrom: Date, now: Date, trx: Kysely<Database>): Promise<void> {
    await this.#d.activity.rescheduleHidden(row.person_id, { detail: 'request_id', equals: row.request_id, occurredSince: row.notice_occurred_at }, visibleFrom, now, trx);
  }

  /** Logs a step; the person's commitment only once their notice is visible. */
  async #log(row: AuthorityRequestRow, event: Omit<AccountableEvent, 'ref' | 'personId' | 'time'>, trx: Kysely<Database>): Promise<void> {
    const visible = row.notice_released_at !== null;
    await this.#d.log.recordAccountableEvent({ ...event, ref: row.request_id, time: this.#d.now(), ...(visible ? { personId: row.person_id } : {}) }, trx);
  }

  #checkDeferral(deferral: { reason: string; until: Date }, now: Date, from: Date): void {
    const max = new Date(from.getTime() + this.#d.deferralMaxDays * DAY_MS);
    if (!isText(deferral.reason) || !(deferral.until instanceof Date) || Number.isNaN(deferral.until.getTime()) || deferral.until <= now || deferral.until > max) {
      throw AuthorityError('authority.deferral_invalid', { max_days: this.#d.deferralMaxDays });
    }
  }

  async #whyNot(requestId: string, trx: Kysely<Database>) {
    const row = await this.#repo.find(requestId, trx);
    if (!row) return AuthorityError('authority.not_found');
    if (row.state === 'submitted') return AuthorityError('authority.needs_two_approvals');
    return AuthorityError('authority.invalid_state', { state: row.state });
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= TEXT_MAX;
}

function requireText(value: unknown, field: string): void {
  if (!isText(value)) throw AuthorityError('authority.field_required', { field });
}

function scopeDetails(scope: AuthorityRequestInput['scope']): Record<string, unknown> {
  return scope.kind === 'identity' ? { kind: 'identity' } : { kind: 'records', from: scope.from.toISOString(), to: scope.to.toISOString() };
}

function scopeClaims(kind: 'identity' | 'records'): string[] {
  return kind === 'identity' ? ['identity'] : ['activity_records'];
}
