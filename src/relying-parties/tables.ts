/** Table types of the relying-party registry (migration 0003_relying_parties.sql). */
import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../storage/schema.ts';

export type RelyingPartyState = 'pending' | 'approved' | 'suspended';
export type RelyingPartyCategory = 'public_service' | 'commercial';
export type AssuranceLevel = 'basic' | 'substantial' | 'high';
export type ClientAuthMethod = 'private_key_jwt' | 'client_secret_basic';

export interface RegisteredClaim {
  readonly claim: string;
  /** The statute (or contract clause for non-plaintext claims) that allows the app to ask. */
  readonly legal_basis: string;
}

export interface RelyingPartiesTable {
  client_id: string;
  name: string;
  organisation: string;
  category: RelyingPartyCategory;
  state: RelyingPartyState;
  redirect_uris: Json<string[]>;
  post_logout_redirect_uris: Json<string[]>;
  sector_identifier: string;
  token_endpoint_auth_method: ClientAuthMethod;
  jwks: Json<{ keys: Record<string, unknown>[] }> | null;
  client_secret_sealed: Uint8Array | null;
  claims: Json<RegisteredClaim[]>;
  required_acr: AssuranceLevel;
  fapi2: boolean;
  backchannel_logout_uri: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RelyingPartyHistoryTable {
  client_id: string;
  seq: number;
  action: string;
  from_state: string | null;
  to_state: RelyingPartyState;
  actor: string;
  reason: string | null;
  occurred_at: Timestamp;
}

export interface RelyingPartyTables {
  relying_parties: RelyingPartiesTable;
  relying_party_history: RelyingPartyHistoryTable;
}
