/**
 * The authority request state machine (STYLE.md §1). Each transition names the states it may
 * start from; the repository applies it with one `UPDATE … WHERE state = ANY(from) RETURNING *`,
 * with the four-eyes conditions in the same WHERE clause, so two operators racing cannot both win.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> submitted: submit (legal basis, body, scope; notice created, maybe deferred)
 *   submitted --> submitted: firstApproval (operator ≠ submitter)
 *   submitted --> approved: secondApproval (operator ≠ submitter, ≠ first approver)
 *   submitted --> rejected: reject
 *   approved --> rejected: reject
 *   approved --> fulfilled: fulfil (operator ≠ submitter; releases only the approved scope)
 * ```
 */
import type { NamedTransition } from '../domain/transition.ts';
import type { AuthorityRequestState } from './tables.ts';

export type AuthorityTransition = NamedTransition<AuthorityRequestState>;

export const AUTHORITY_TRANSITIONS = {
  firstApproval: { name: 'firstApproval', from: ['submitted'], to: 'submitted' },
  secondApproval: { name: 'secondApproval', from: ['submitted'], to: 'approved' },
  reject: { name: 'reject', from: ['submitted', 'approved'], to: 'rejected' },
  fulfil: { name: 'fulfil', from: ['approved'], to: 'fulfilled' },
} as const satisfies Record<string, AuthorityTransition>;
