-- Web certificate status lists (docs/web-certificate.md). Valid on PostgreSQL 15 and 18.

-- One row per status list (shard of `size` entries, 1,000,000 by default). Reference data: small.
-- Indexes are drawn at random from the open list; when it has no free index left it becomes
-- 'full' and the next list opens.
CREATE TABLE status_lists (
  list_id     integer PRIMARY KEY CHECK (list_id >= 0),
  size        integer NOT NULL CHECK (size > 0),
  state       text NOT NULL CHECK (state IN ('open', 'full')),
  created_at  timestamptz NOT NULL
);

-- One row per issued credential: its place in a status list, whose it is, and whether it is
-- revoked (with a reason from a closed list). Keyed by (list_id, idx), so the list builder reads
-- one list's revoked indexes; person_id is indexed so deactivation revokes every credential of
-- one person in one statement. In a sharded deployment this table is distributed by list_id
-- (a list is built on one shard); revoking by person is a rare, non-hot fan-out.
CREATE TABLE status_entries (
  list_id     integer NOT NULL,
  idx         integer NOT NULL CHECK (idx >= 0),
  person_id   uuid NOT NULL,
  device_ref  text,
  batch_id    uuid NOT NULL,
  issued_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  reason      text CHECK (reason IN ('person_deactivated', 'device_removed', 'person_request', 'document_invalid', 'fraud', 'legal_order')),
  PRIMARY KEY (list_id, idx),
  CHECK ((revoked_at IS NULL) = (reason IS NULL))
);
CREATE INDEX status_entries_person ON status_entries (person_id);
CREATE INDEX status_entries_revoked ON status_entries (list_id, idx) WHERE revoked_at IS NOT NULL;
CREATE INDEX status_entries_expires ON status_entries (expires_at);

-- The signed status-list token of each list, shared by every node (nodes are stateless): a node
-- serves it until refresh_at, then signs a new one. Revocation deletes the row of each list it
-- touched, so the next request signs the new bits.
CREATE TABLE status_list_tokens (
  list_id     integer PRIMARY KEY,
  token       text NOT NULL,
  etag        text NOT NULL,
  signed_at   timestamptz NOT NULL,
  refresh_at  timestamptz NOT NULL
);
