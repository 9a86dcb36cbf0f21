/** Table types of the web certificate service (migration 0004_credentials.sql). */
import type { Timestamp } from '../../storage/schema.ts';

export interface StatusListsTable {
  list_id: number;
  size: number;
  state: 'open' | 'full';
  created_at: Timestamp;
}

export interface StatusEntriesTable {
  list_id: number;
  idx: number;
  person_id: string;
  /** The device (passkey device id) the batch was issued to, when the app named one. */
  device_ref: string | null;
  batch_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  reason: string | null;
}

export interface StatusListTokensTable {
  list_id: number;
  token: string;
  etag: string;
  signed_at: Timestamp;
  refresh_at: Timestamp;
}

export interface CredentialTables {
  status_lists: StatusListsTable;
  status_entries: StatusEntriesTable;
  status_list_tokens: StatusListTokensTable;
}
