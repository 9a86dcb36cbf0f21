-- The operator console (src/console/): operators, their passkeys, and the append-only record of
-- every operator action. Operators are staff, not persons: no row here names a person except by
-- opaque id (a person_id, a revocation id, an enrolment id) in operator_actions.

-- An operator or auditor. Enrolment is by a one-time link: only the SHA-256 of its token is
-- kept, with an expiry; using it clears both, so a link works once.
CREATE TABLE operators (
  operator_id              uuid PRIMARY KEY,
  name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role                     text NOT NULL CHECK (role IN ('operator', 'auditor')),
  status                   text NOT NULL CHECK (status IN ('active', 'disabled')),
  created_at               timestamptz NOT NULL,
  enrolment_token_hash     text UNIQUE,
  enrolment_expires_at     timestamptz,
  CHECK ((enrolment_token_hash IS NULL) = (enrolment_expires_at IS NULL))
);

-- An operator's passkeys (WebAuthn credentials for the console's origin).
CREATE TABLE operator_passkeys (
  credential_id   text PRIMARY KEY,
  operator_id     uuid NOT NULL REFERENCES operators (operator_id),
  public_key      bytea NOT NULL,
  counter         bigint NOT NULL CHECK (counter >= 0),
  transports      jsonb NOT NULL,
  created_at      timestamptz NOT NULL,
  last_used_at    timestamptz
);
CREATE INDEX operator_passkeys_operator ON operator_passkeys (operator_id);

-- Every operator action, newest read first. operator_id is null for acts through the admin API
-- (the `netid` command with the data directory's token). details hold codes and opaque ids only.
CREATE TABLE operator_actions (
  action_id     uuid PRIMARY KEY,
  operator_id   uuid REFERENCES operators (operator_id),
  action        text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
  target_type   text NOT NULL CHECK (length(target_type) BETWEEN 1 AND 50),
  target_id     text NOT NULL CHECK (length(target_id) BETWEEN 1 AND 200),
  details       jsonb NOT NULL,
  occurred_at   timestamptz NOT NULL
);
CREATE INDEX operator_actions_time ON operator_actions (occurred_at DESC, action_id);

-- Append-only: the record of what operators did cannot be edited or deleted through SQL.
CREATE FUNCTION operator_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'operator_actions is append-only' USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER operator_actions_no_change BEFORE UPDATE OR DELETE ON operator_actions FOR EACH ROW EXECUTE FUNCTION operator_actions_append_only();
