-- A person's sessions with the netid app. The session token stays signed (HMAC, with the person
-- and session ids in it), and every request also finds its row here, joined to the person's row
-- in one indexed read: signing out, removing the passkey a session was opened with, deactivation
-- and an applied revocation delete rows, so those sessions end at once on every node.
-- Person-owned (SCALE.md rule 1): keyed by person_id first; every statement names one person.
CREATE TABLE person_sessions (
  person_id     uuid NOT NULL,
  session_id    uuid NOT NULL,
  -- The passkey (devices.device_id) the session was opened with; null for other ways in.
  device_id     uuid,
  created_at    timestamptz NOT NULL,
  -- Moved forward (at most once a minute) while the session is used: the idle window slides.
  last_seen_at  timestamptz NOT NULL,
  -- The absolute end, whatever the use (NETID_SESSION_MAX_HOURS after created_at).
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (person_id, session_id)
);
CREATE INDEX person_sessions_device ON person_sessions (person_id, device_id) WHERE device_id IS NOT NULL;
