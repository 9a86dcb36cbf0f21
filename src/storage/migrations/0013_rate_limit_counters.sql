-- Rate-limit counters shared by every node that uses this database (src/storage/counter-store.ts):
-- one row per key (limit name and client address or credential) holding the count of its current
-- fixed window. One atomic upsert per counted request; expired rows are swept.
--
-- UNLOGGED: a counter is worth nothing after a crash or a failover (the window starts again), so
-- its writes skip the write-ahead log. That keeps a counted request from waiting for a WAL flush.
CREATE UNLOGGED TABLE rate_limit_counters (
  key text PRIMARY KEY,
  count integer NOT NULL,
  reset_at timestamptz NOT NULL
);

CREATE INDEX rate_limit_counters_reset_at ON rate_limit_counters (reset_at);
