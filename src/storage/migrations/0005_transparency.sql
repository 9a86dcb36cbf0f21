-- The transparency log (src/transparency/, docs/transparency.md). One log per origin (log_id):
-- its entries, every complete-subtree hash (level, idx), its signed checkpoints, and an outbox
-- that services write accountable events to in the same transaction as the act they record.
-- log_heads holds each log's size; appends lock that row, so two nodes never interleave a tree.

CREATE TABLE log_heads (
  log_id  text PRIMARY KEY,
  size    bigint NOT NULL CHECK (size >= 0)
);

CREATE TABLE log_entries (
  log_id  text NOT NULL,
  idx     bigint NOT NULL CHECK (idx >= 0),
  entry   bytea NOT NULL,
  PRIMARY KEY (log_id, idx)
);

CREATE TABLE log_nodes (
  log_id  text NOT NULL,
  level   smallint NOT NULL CHECK (level >= 0 AND level < 64),
  idx     bigint NOT NULL CHECK (idx >= 0),
  hash    bytea NOT NULL CHECK (octet_length(hash) = 32),
  PRIMARY KEY (log_id, level, idx)
);

CREATE TABLE log_checkpoints (
  checkpoint_id bigserial PRIMARY KEY,
  log_id        text NOT NULL,
  size          bigint NOT NULL CHECK (size >= 0),
  root_hash     bytea NOT NULL,
  timestamp_ms  bigint NOT NULL,
  note          text NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX log_checkpoints_latest ON log_checkpoints (log_id, size DESC, timestamp_ms DESC);

-- Encoded entries waiting for the sequencer; deleted in the transaction that appends them.
CREATE TABLE log_outbox (
  seq         bigserial PRIMARY KEY,
  log_id      text NOT NULL,
  entry       bytea NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX log_outbox_log ON log_outbox (log_id, seq);
