/** Table types of account recovery (migration 0014_recoveries.sql); the flow itself is a row of `enrolments` with purpose `recovery`. */
import type { Timestamp } from '../storage/schema.ts';

export interface RecoveryNoticesTable {
  person_id: string;
  recovery_id: string;
  recovered_at: Timestamp;
  dismissed_at: Timestamp | null;
}

export interface RecoveryTables {
  recovery_notices: RecoveryNoticesTable;
}
