-- netid core schema. Written for PostgreSQL 15 (Debian) and 18 (PGlite) alike.
-- Shardability (../shared/SCALE.md): person-owned tables carry person_id and are only ever read
-- one person at a time; lookups by another key (document, web number) go through their own
-- narrow tables keyed by that key; reference data (keys) is small and separate; short-lived
-- protocol state sits in ephemeral_state; append-heavy activity is partitioned by time.

-- Reference data: signing keys, private halves sealed under the master key.
CREATE TABLE signing_keys (
  kid            text PRIMARY KEY,
  alg            text NOT NULL CHECK (alg IN ('ES256', 'EdDSA')),
  state          text NOT NULL CHECK (state IN ('active', 'verify_only', 'retired')),
  public_jwk     jsonb NOT NULL,
  private_sealed bytea NOT NULL,
  created_at     timestamptz NOT NULL,
  retired_at     timestamptz
);
CREATE INDEX signing_keys_state ON signing_keys (alg, state);

-- The embedded authoritative registry (demo and tests). Keyed by the document's keyed hash;
-- the record (name, dates, portrait…) is sealed, so nothing identifying is stored in clear.
CREATE TABLE registry_records (
  document_key   text PRIMARY KEY,
  document_type  text NOT NULL,
  status         text NOT NULL CHECK (status IN ('valid', 'lost', 'revoked', 'deceased')),
  sealed         bytea NOT NULL,
  updated_at     timestamptz NOT NULL
);

-- Persons: one row per enrolled identity. Identity attributes are sealed per record.
CREATE TABLE persons (
  person_id          uuid PRIMARY KEY,
  state              text NOT NULL CHECK (state IN ('active', 'deactivated')),
  web_number         text,
  document_key       text NOT NULL,
  attributes_sealed  bytea,
  guardian_person_id uuid,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  deactivated_at     timestamptz
);

-- One person per identity document: the keyed hash of (type, number) → person. After
-- deactivation the row stays as a tombstone, so re-enrolment is possible and auditable.
CREATE TABLE person_document_keys (
  document_key  text PRIMARY KEY,
  person_id     uuid NOT NULL,
  state         text NOT NULL CHECK (state IN ('active', 'tombstone')),
  created_at    timestamptz NOT NULL,
  tombstoned_at timestamptz
);

-- Web number → person. Retired numbers are never reused.
CREATE TABLE web_numbers (
  web_number  text PRIMARY KEY,
  person_id   uuid NOT NULL,
  state       text NOT NULL CHECK (state IN ('active', 'retired')),
  issued_at   timestamptz NOT NULL,
  retired_at  timestamptz
);

-- What a person sees on their activity page: sign-ins, disclosures (claim names, never values),
-- device changes, consents, revocations, authority notices. visible_from lets an authority
-- notice be deferred for a bounded, recorded period. Partitioned by month; retention drops
-- partitions.
CREATE TABLE activity (
  person_id        uuid NOT NULL,
  activity_id      uuid NOT NULL,
  occurred_at      timestamptz NOT NULL,
  type             text NOT NULL,
  relying_party_id text,
  details          jsonb NOT NULL DEFAULT '{}'::jsonb,
  visible_from     timestamptz NOT NULL,
  PRIMARY KEY (person_id, occurred_at, activity_id)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE activity_default PARTITION OF activity DEFAULT;

-- Short-lived protocol state (OIDC interactions, codes, sessions, WebAuthn challenges…) behind
-- one interface with expiry (src/storage/ephemeral-store.ts), so a deployment can move it to a
-- store built for it without touching protocol code.
CREATE TABLE ephemeral_state (
  namespace   text NOT NULL,
  id          text NOT NULL,
  payload     jsonb NOT NULL,
  grant_id    text,
  uid         text,
  user_code   text,
  expires_at  timestamptz NOT NULL,
  consumed_at timestamptz,
  PRIMARY KEY (namespace, id)
);
CREATE INDEX ephemeral_state_expiry ON ephemeral_state (expires_at);
CREATE INDEX ephemeral_state_grant ON ephemeral_state (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX ephemeral_state_uid ON ephemeral_state (namespace, uid) WHERE uid IS NOT NULL;
CREATE INDEX ephemeral_state_user_code ON ephemeral_state (namespace, user_code) WHERE user_code IS NOT NULL;
