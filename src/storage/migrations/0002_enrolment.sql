-- Enrolment (identity proofing) and devices (passkeys). Written for PostgreSQL 15 and 18 alike.

-- One row per enrolment flow: a stored state machine (src/enrolment/states.ts). Transitions are
-- single UPDATEs guarded by the state they start from, so a double submit, two concurrent
-- requests or a restart can neither skip nor repeat a step. `data_sealed` holds the state's data
-- (registry attributes, challenges) sealed under the master key with the enrolment id as context;
-- it is dropped when the flow ends. No image or embedding is ever stored.
CREATE TABLE enrolments (
  enrolment_id        uuid PRIMARY KEY,
  state               text NOT NULL CHECK (state IN ('started', 'document_checked', 'face_verified', 'guardian_approved', 'device_bound', 'issued', 'failed', 'expired', 'cancelled')),
  document_key        text NOT NULL,
  document_type       text NOT NULL,
  age_group           text NOT NULL CHECK (age_group IN ('adult', 'minor', 'child')),
  guardian_person_id  uuid,
  face_attempts       integer NOT NULL DEFAULT 0,
  data_sealed         bytea,
  person_id           uuid,
  failure_code        text,
  version             integer NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL
);
CREATE INDEX enrolments_expiry ON enrolments (expires_at) WHERE state NOT IN ('issued', 'failed', 'expired', 'cancelled');

-- The decision record of each step: which check, the result, scores, model and thresholds, when.
-- Never an image, an embedding or an identity value.
CREATE TABLE enrolment_decisions (
  enrolment_id  uuid NOT NULL,
  seq           integer NOT NULL,
  step          text NOT NULL,
  check_name    text NOT NULL,
  result        text NOT NULL CHECK (result IN ('pass', 'fail')),
  details       jsonb NOT NULL DEFAULT '{}'::jsonb,
  decided_at    timestamptz NOT NULL,
  PRIMARY KEY (enrolment_id, seq)
);

-- A person's passkeys. Person-owned: read one person at a time.
CREATE TABLE devices (
  person_id      uuid NOT NULL,
  device_id      uuid NOT NULL,
  credential_id  text NOT NULL,
  public_key     bytea NOT NULL,
  counter        bigint NOT NULL DEFAULT 0,
  transports     jsonb NOT NULL DEFAULT '[]'::jsonb,
  label          text,
  created_at     timestamptz NOT NULL,
  last_used_at   timestamptz,
  removed_at     timestamptz,
  PRIMARY KEY (person_id, device_id)
);

-- Credential id → person, for sign-in with a discoverable passkey (SCALE.md rule 1: a narrow
-- lookup table keyed by the value, so the person's shard is found without scanning devices).
CREATE TABLE device_credentials (
  credential_id  text PRIMARY KEY,
  person_id      uuid NOT NULL,
  device_id      uuid NOT NULL
);
