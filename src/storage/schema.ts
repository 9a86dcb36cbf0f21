/**
 * Table types for kysely. Each capability declares its own tables beside its code and they are
 * joined here, so the query builder checks every query against the real schema.
 */
import type { ColumnType, Generated } from 'kysely';
import type { CredentialTables } from '../credentials/service/tables.ts';
import type { EnrolmentTables } from '../enrolment/tables.ts';
import type { RelyingPartyTables } from '../relying-parties/tables.ts';
import type { TransparencyTables } from '../transparency/service/tables.ts';
import type { AuthorityTables } from '../authority/tables.ts';
import type { RevocationTables } from '../revocation/tables.ts';
import type { ConsoleTables } from '../console/tables.ts';
import type { AccountTables } from '../accounts/tables.ts';
import type { RecoveryTables } from '../recovery/tables.ts';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Json<T = unknown> = ColumnType<T, string, string>;

export interface SchemaMigrationsTable {
  name: string;
  sha256: string;
  applied_at: Generated<Timestamp>;
}

export interface SigningKeysTable {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  state: 'active' | 'verify_only' | 'retired';
  public_jwk: Json<Record<string, unknown>>;
  private_sealed: Uint8Array;
  created_at: Timestamp;
  retired_at: Timestamp | null;
  /** `tokens`: ID tokens, web certificates, status lists (published in the JWKS); `log`: transparency checkpoints only. */
  purpose: Generated<'tokens' | 'log'>;
}

export interface RegistryRecordsTable {
  document_key: string;
  document_type: string;
  status: 'valid' | 'lost' | 'revoked' | 'deceased';
  sealed: Uint8Array;
  updated_at: Timestamp;
}

export interface RegistryImportsTable {
  import_id: string;
  source: string;
  channel: 'admin_api' | 'cli' | 'first_run';
  outcome: 'imported' | 'refused';
  inserted: number;
  updated: number;
  error_code: string | null;
  error_line: number | null;
  finished_at: Timestamp;
}

export interface PersonsTable {
  person_id: string;
  state: 'active' | 'deactivated';
  web_number: string | null;
  document_key: string;
  attributes_sealed: Uint8Array | null;
  guardian_person_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deactivated_at: Timestamp | null;
}

export interface PersonDocumentKeysTable {
  document_key: string;
  person_id: string;
  state: 'active' | 'tombstone';
  created_at: Timestamp;
  tombstoned_at: Timestamp | null;
}

export interface WebNumbersTable {
  web_number: string;
  person_id: string;
  state: 'active' | 'retired';
  issued_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface ActivityTable {
  person_id: string;
  activity_id: string;
  occurred_at: Timestamp;
  type: string;
  relying_party_id: string | null;
  details: Json<Record<string, unknown>>;
  visible_from: Timestamp;
}

export interface EphemeralStateTable {
  namespace: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
}

export interface CoreTables {
  schema_migrations: SchemaMigrationsTable;
  signing_keys: SigningKeysTable;
  registry_records: RegistryRecordsTable;
  registry_imports: RegistryImportsTable;
  persons: PersonsTable;
  person_document_keys: PersonDocumentKeysTable;
  web_numbers: WebNumbersTable;
  activity: ActivityTable;
  ephemeral_state: EphemeralStateTable;
}

// Capabilities add their tables here: `export interface Database extends CoreTables, EnrolmentTables {}`.
export interface Database extends CoreTables, EnrolmentTables, RelyingPartyTables, CredentialTables, TransparencyTables, AuthorityTables, RevocationTables, ConsoleTables, AccountTables, RecoveryTables {}
