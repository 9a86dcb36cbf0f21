/** Table types of accounts beyond the core ones (migration 0011_person_sessions.sql). */
import type { Timestamp } from '../storage/schema.ts';

export interface PersonSessionsTable {
  person_id: string;
  session_id: string;
  /** The passkey the session was opened with, when one was. */
  device_id: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  /** The absolute end. */
  expires_at: Timestamp;
}

export interface AccountTables {
  person_sessions: PersonSessionsTable;
}
