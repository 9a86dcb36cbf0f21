/** Table types of revocation with due process (migration 0006_authority_revocation.sql). */
import type { Timestamp } from '../storage/schema.ts';

export const REVOCATION_REASONS = ['person_request', 'device_lost', 'document_invalidated', 'death', 'fraud_decided'] as const;
export type RevocationReasonCode = (typeof REVOCATION_REASONS)[number];
export type RevocationState = 'proposed' | 'approved' | 'applied' | 'rejected';
export type RevocationSource = 'person' | 'registry' | 'operator';
export type AppealState = 'lodged' | 'upheld' | 'dismissed';

export interface RevocationTables {
  revocations: {
    revocation_id: string;
    person_id: string;
    state: RevocationState;
    reason: RevocationReasonCode;
    procedure: string | null;
    reference: string;
    source: RevocationSource;
    proposed_by: string;
    proposed_at: Timestamp;
    approved_by: string | null;
    approved_at: Timestamp | null;
    rejected_by: string | null;
    rejection_reason: string | null;
    /** Null only for rejections decided before migration 0008 without a console record. */
    rejected_at: Timestamp | null;
    applied_at: Timestamp | null;
  };
  revocation_appeals: {
    appeal_id: string;
    revocation_id: string;
    person_id: string;
    state: AppealState;
    statement: string;
    lodged_at: Timestamp;
    answered_by: string | null;
    answer: string | null;
    answered_at: Timestamp | null;
  };
  person_credential_holds: {
    person_id: string;
    state: 'revoked' | 'reinstated';
    revocation_id: string;
    eligible_for_issuance: boolean;
    updated_at: Timestamp;
  };
  app_blocks: {
    person_id: string;
    client_id: string;
    reason: string;
    reference: string;
    blocked_by: string;
    blocked_at: Timestamp;
  };
}
