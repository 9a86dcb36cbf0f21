/** Table types of the enrolment flow and of devices (migrations 0002_enrolment.sql, 0014_recoveries.sql). */
import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../storage/schema.ts';

export type EnrolmentStateName = 'started' | 'document_checked' | 'face_verified' | 'guardian_approved' | 'device_bound' | 'issued' | 'recovered' | 'failed' | 'expired' | 'cancelled';
export type AgeGroup = 'adult' | 'minor' | 'child';
/** What the flow is for: a new person (enrolment) or new passkeys for an existing one (src/recovery). */
export type ProofingPurpose = 'enrolment' | 'recovery';

export interface EnrolmentsTable {
  enrolment_id: string;
  purpose: Generated<ProofingPurpose>;
  state: EnrolmentStateName;
  document_key: string;
  document_type: string;
  age_group: AgeGroup;
  guardian_person_id: string | null;
  face_attempts: Generated<number>;
  data_sealed: Uint8Array | null;
  person_id: string | null;
  failure_code: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  expires_at: Timestamp;
}

export interface EnrolmentDecisionsTable {
  enrolment_id: string;
  seq: number;
  step: string;
  check_name: string;
  result: 'pass' | 'fail';
  details: Json<Record<string, unknown>>;
  decided_at: Timestamp;
}

export interface DevicesTable {
  person_id: string;
  device_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: ColumnCounter;
  transports: Json<string[]>;
  label: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  removed_at: Timestamp | null;
}

/** bigint comes back as a string from pg and as a number from PGlite; code reads it with Number(). */
type ColumnCounter = ColumnType<number | string, number, number>;

export interface DeviceCredentialsTable {
  credential_id: string;
  person_id: string;
  device_id: string;
}

export interface EnrolmentTables {
  enrolments: EnrolmentsTable;
  enrolment_decisions: EnrolmentDecisionsTable;
  devices: DevicesTable;
  device_credentials: DeviceCredentialsTable;
}
