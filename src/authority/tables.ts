/** Table types of authority requests (migration 0006_authority_revocation.sql). */
import type { Timestamp } from '../storage/schema.ts';

export type AuthorityRequestState = 'submitted' | 'approved' | 'fulfilled' | 'rejected';
export type AuthorityScope = 'identity' | 'records';

export interface AuthorityRequestsTable {
  request_id: string;
  person_id: string;
  state: AuthorityRequestState;
  requesting_body: string;
  legal_statute: string;
  case_reference: string;
  scope: AuthorityScope;
  window_from: Timestamp | null;
  window_to: Timestamp | null;
  submitted_by: string;
  submitted_at: Timestamp;
  first_approver: string | null;
  second_approver: string | null;
  approved_at: Timestamp | null;
  rejected_by: string | null;
  rejection_reason: string | null;
  decided_at: Timestamp | null;
  fulfilled_by: string | null;
  fulfilled_at: Timestamp | null;
  notice_activity_id: string;
  notice_occurred_at: Timestamp;
  deferral_reason: string | null;
  deferral_until: Timestamp | null;
  notice_released_at: Timestamp | null;
  extension_proposed_by: string | null;
  extension_reason: string | null;
  extension_until: Timestamp | null;
  extension_approved_by: string | null;
}

export interface AuthorityTables {
  authority_requests: AuthorityRequestsTable;
}
