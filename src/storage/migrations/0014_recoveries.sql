-- Account recovery (src/recovery, docs/recovery.md): a person who lost every passkey proves who
-- they are again — document, registry, live face, a guardian for a minor — and binds a new
-- passkey to the account they already have. Written for PostgreSQL 15 and 18 alike.

-- A recovery is the enrolment state machine with another purpose: the same steps, the same
-- guarded transitions, attempt limits and decision records (enrolment_decisions), so the two
-- cannot drift apart and a stranger gets the same answers from both. A recovery ends in
-- `recovered` (the new passkey bound to the existing person) where an enrolment ends in `issued`.
-- `person_id` of a recovery stays empty until the face matched the holder of an enrolled document.
ALTER TABLE enrolments ADD COLUMN purpose text NOT NULL DEFAULT 'enrolment' CHECK (purpose IN ('enrolment', 'recovery'));
ALTER TABLE enrolments DROP CONSTRAINT enrolments_state_check;
ALTER TABLE enrolments ADD CONSTRAINT enrolments_state_check CHECK (state IN ('started', 'document_checked', 'face_verified', 'guardian_approved', 'device_bound', 'issued', 'recovered', 'failed', 'expired', 'cancelled'));
DROP INDEX enrolments_expiry;
CREATE INDEX enrolments_expiry ON enrolments (expires_at) WHERE state NOT IN ('issued', 'recovered', 'failed', 'expired', 'cancelled');

-- The notice a recovered person sees the next time they sign in ("your account was recovered on
-- … — was this you?"), until they dismiss it. One row per person: the latest recovery.
CREATE TABLE recovery_notices (
  person_id     uuid PRIMARY KEY,
  recovery_id   uuid NOT NULL,
  recovered_at  timestamptz NOT NULL,
  dismissed_at  timestamptz
);
