-- Authority requests (src/authority/) and revocation with due process (src/revocation/).
-- Every row names one person (person_id) and is read one person or one request at a time.

-- An authority's request for a person's identity or activity records: a stored state machine
-- (submitted → approved → fulfilled, or rejected). Two approvers, neither the submitter. The
-- notice to the person is an activity entry created at submission; a deferral hides it until
-- deferral_until (at most NETID_AUTHORITY_DEFERRAL_MAX_DAYS, extendable once by two approvers).
CREATE TABLE authority_requests (
  request_id           uuid PRIMARY KEY,
  person_id            uuid NOT NULL,
  state                text NOT NULL CHECK (state IN ('submitted', 'approved', 'fulfilled', 'rejected')),
  requesting_body      text NOT NULL,
  legal_statute        text NOT NULL,
  case_reference       text NOT NULL,
  scope                text NOT NULL CHECK (scope IN ('identity', 'records')),
  window_from          timestamptz,
  window_to            timestamptz,
  submitted_by         text NOT NULL,
  submitted_at         timestamptz NOT NULL,
  first_approver       text,
  second_approver      text,
  approved_at          timestamptz,
  rejected_by          text,
  rejection_reason     text,
  decided_at           timestamptz,
  fulfilled_by         text,
  fulfilled_at         timestamptz,
  notice_activity_id   uuid NOT NULL,
  notice_occurred_at   timestamptz NOT NULL,
  deferral_reason      text,
  deferral_until       timestamptz,
  notice_released_at   timestamptz,
  extension_proposed_by text,
  extension_reason     text,
  extension_until      timestamptz,
  extension_approved_by text,
  CHECK (scope = 'identity' OR (window_from IS NOT NULL AND window_to IS NOT NULL AND window_from < window_to)),
  CHECK ((deferral_reason IS NULL) = (deferral_until IS NULL)),
  CHECK (first_approver IS NULL OR first_approver <> submitted_by),
  CHECK (second_approver IS NULL OR (second_approver <> submitted_by AND second_approver <> first_approver))
);
CREATE INDEX authority_requests_state ON authority_requests (state, submitted_at);
CREATE INDEX authority_requests_person ON authority_requests (person_id);
CREATE INDEX authority_requests_deferred ON authority_requests (deferral_until) WHERE notice_released_at IS NULL AND deferral_until IS NOT NULL;

-- Revoking a person's credentials everywhere: proposed → approved → applied, or rejected.
CREATE TABLE revocations (
  revocation_id  uuid PRIMARY KEY,
  person_id      uuid NOT NULL,
  state          text NOT NULL CHECK (state IN ('proposed', 'approved', 'applied', 'rejected')),
  reason         text NOT NULL CHECK (reason IN ('person_request', 'device_lost', 'document_invalidated', 'death', 'fraud_decided')),
  procedure      text,
  reference      text NOT NULL CHECK (length(reference) > 0),
  source         text NOT NULL CHECK (source IN ('person', 'registry', 'operator')),
  proposed_by    text NOT NULL,
  proposed_at    timestamptz NOT NULL,
  approved_by    text,
  approved_at    timestamptz,
  rejected_by    text,
  rejection_reason text,
  applied_at     timestamptz,
  CHECK (reason <> 'fraud_decided' OR procedure IS NOT NULL),
  CHECK (approved_by IS NULL OR approved_by <> proposed_by OR source <> 'operator')
);
CREATE INDEX revocations_person ON revocations (person_id, proposed_at);
CREATE INDEX revocations_state ON revocations (state, proposed_at);

-- The person's appeal against an applied revocation: lodged → upheld | dismissed.
CREATE TABLE revocation_appeals (
  appeal_id      uuid PRIMARY KEY,
  revocation_id  uuid NOT NULL REFERENCES revocations (revocation_id),
  person_id      uuid NOT NULL,
  state          text NOT NULL CHECK (state IN ('lodged', 'upheld', 'dismissed')),
  statement      text NOT NULL,
  lodged_at      timestamptz NOT NULL,
  answered_by    text,
  answer         text,
  answered_at    timestamptz
);
CREATE UNIQUE INDEX revocation_appeals_one_open ON revocation_appeals (revocation_id) WHERE state = 'lodged';
CREATE INDEX revocation_appeals_state ON revocation_appeals (state, lodged_at);

-- Whether a person's credentials stand revoked, and whether their device may ask for a fresh batch.
CREATE TABLE person_credential_holds (
  person_id              uuid PRIMARY KEY,
  state                  text NOT NULL CHECK (state IN ('revoked', 'reinstated')),
  revocation_id          uuid NOT NULL,
  eligible_for_issuance  boolean NOT NULL,
  updated_at             timestamptz NOT NULL
);

-- One app's access suspended for one person (scoped: other apps are unaffected).
CREATE TABLE app_blocks (
  person_id   uuid NOT NULL,
  client_id   text NOT NULL,
  reason      text NOT NULL,
  reference   text NOT NULL,
  blocked_by  text NOT NULL,
  blocked_at  timestamptz NOT NULL,
  PRIMARY KEY (person_id, client_id)
);
