/**
 * The steps of an authority request taken in the console: submit, approve (twice, by two
 * operators who did not submit it), reject, fulfil (by an operator who did not submit it) and the
 * one deferral extension (proposed by one operator, approved by another). Each step needs a
 * step-up for that step and that request (ConsoleService.stepUp); the authority service stores
 * the step with the proven operator as its actor, and in the same transaction the passkey's
 * counter and the operator-action record are written. The separation rules are the authority
 * service's (src/authority), so they now bind people who each proved themselves.
 */
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { AuthorityRequestRow } from '../authority/authority-repository.ts';
import type { AuthorityRequestInput, AuthorityService, ReleasedData, Within } from '../authority/authority-service.ts';
import type { ActingOperator, StepUpAction, VerifiedStepUp } from './operator-passkeys.ts';
import { fieldsTarget } from './operator-passkeys.ts';
import type { OperatorActionType, OperatorRepository } from './operator-repository.ts';

export interface AuthorityActsDeps {
  readonly authority: Pick<AuthorityService, 'submit' | 'approve' | 'reject' | 'fulfil' | 'proposeDeferralExtension' | 'approveDeferralExtension' | 'list' | 'find'>;
  readonly operators: Pick<OperatorRepository, 'recordAction'>;
  readonly persons: Pick<PersonRepository, 'find'>;
  readonly stepUp: (actor: ActingOperator, action: StepUpAction, target: string) => Promise<VerifiedStepUp>;
  readonly now: () => Date;
}

/** A request as the console lists it: the row and the subject's web number (how the authority named them). */
export interface ListedAuthorityRequest {
  readonly request: AuthorityRequestRow;
  readonly webNumber: string | null;
}

export class AuthorityActs {
  readonly #d: AuthorityActsDeps;

  constructor(deps: AuthorityActsDeps) {
    this.#d = deps;
  }

  /** Requests, newest first, with the subject's web number. */
  async list(): Promise<ListedAuthorityRequest[]> {
    const rows = await this.#d.authority.list();
    return Promise.all(rows.map(async (request) => ({ request, webNumber: (await this.#d.persons.find(request.person_id))?.webNumber ?? null })));
  }

  /** Records a request about the person holding `webNumber` (the step-up is bound to that web number as typed). */
  async submit(actor: ActingOperator, webNumber: string, input: Omit<AuthorityRequestInput, 'subject'>): Promise<AuthorityRequestRow> {
    const proof = await this.#d.stepUp(actor, 'authority.submit', fieldsTarget(webNumber));
    return this.#d.authority.submit({ ...input, subject: { webNumber: webNumber.trim().toUpperCase() } }, proof.operatorId, this.#recorded(proof, (row) => ['authority.submitted', { person_id: row.person_id, scope: row.scope, deferred: row.deferral_until !== null }]));
  }

  /** The first approval leaves it submitted; the second (another operator) approves it. */
  async approve(actor: ActingOperator, requestId: string): Promise<AuthorityRequestRow> {
    const proof = await this.#d.stepUp(actor, 'authority.approve', requestId);
    return this.#d.authority.approve(requestId, proof.operatorId, this.#recorded(proof, (row) => [row.state === 'approved' ? 'authority.approved' : 'authority.approval', { person_id: row.person_id }]));
  }

  async reject(actor: ActingOperator, requestId: string, reason: string): Promise<AuthorityRequestRow> {
    const proof = await this.#d.stepUp(actor, 'authority.reject', requestId);
    return this.#d.authority.reject(requestId, proof.operatorId, reason.trim(), this.#recorded(proof, (row) => ['authority.rejected', { person_id: row.person_id }]));
  }

  /** Releases exactly the approved scope; the caller shows it once and keeps nothing. */
  async fulfil(actor: ActingOperator, requestId: string): Promise<{ request: AuthorityRequestRow; released: ReleasedData }> {
    const proof = await this.#d.stepUp(actor, 'authority.fulfil', requestId);
    return this.#d.authority.fulfil(requestId, proof.operatorId, this.#recorded(proof, (row) => ['authority.fulfilled', { person_id: row.person_id, scope: row.scope }]));
  }

  async proposeExtension(actor: ActingOperator, requestId: string, extension: { reason: string; until: Date }): Promise<AuthorityRequestRow> {
    const proof = await this.#d.stepUp(actor, 'authority.extension_propose', requestId);
    return this.#d.authority.proposeDeferralExtension(requestId, proof.operatorId, { reason: extension.reason.trim(), until: extension.until }, this.#recorded(proof, (row) => ['authority.deferral_extension_proposed', { person_id: row.person_id }]));
  }

  async approveExtension(actor: ActingOperator, requestId: string): Promise<AuthorityRequestRow> {
    const proof = await this.#d.stepUp(actor, 'authority.extension_approve', requestId);
    return this.#d.authority.approveDeferralExtension(requestId, proof.operatorId, this.#recorded(proof, (row) => ['authority.deferral_extended', { person_id: row.person_id }]));
  }

  /** What the console adds to the step's transaction: the passkey's counter, then the operator-action record. */
  #recorded(proof: VerifiedStepUp, what: (row: AuthorityRequestRow) => [OperatorActionType, Record<string, string | boolean>]): Within {
    return async (row, trx) => {
      await proof.commit(trx);
      const [action, details] = what(row);
      await this.#d.operators.recordAction({ operatorId: proof.operatorId, action, targetType: 'authority_request', targetId: row.request_id, details }, this.#d.now(), trx);
    };
  }
}
