/** Table types of the operator console (migration 0007_operators.sql). */
import type { Json, Timestamp } from '../storage/schema.ts';

export const OPERATOR_ROLES = ['operator', 'auditor'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export type OperatorStatus = 'active' | 'disabled';

export interface ConsoleTables {
  operators: {
    operator_id: string;
    name: string;
    role: OperatorRole;
    status: OperatorStatus;
    created_at: Timestamp;
    enrolment_token_hash: string | null;
    enrolment_expires_at: Timestamp | null;
  };
  operator_passkeys: {
    credential_id: string;
    operator_id: string;
    public_key: Uint8Array;
    counter: number;
    transports: Json<string[]>;
    created_at: Timestamp;
    last_used_at: Timestamp | null;
  };
  operator_actions: {
    action_id: string;
    operator_id: string | null;
    action: string;
    target_type: string;
    target_id: string;
    details: Json<Record<string, unknown>>;
    occurred_at: Timestamp;
  };
}
