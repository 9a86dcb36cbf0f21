-- The transparency log signs its checkpoints with a key of its own, apart from the keys that sign
-- tokens and web certificates: rotating those (netid keys rotate) must never change the log's
-- verifier key, which independent verifiers pin.
ALTER TABLE signing_keys ADD COLUMN purpose text NOT NULL DEFAULT 'tokens' CHECK (purpose IN ('tokens', 'log'));

-- A log that already has checkpoints was signed with the newest active EdDSA key: that key becomes
-- the log's own, so its verifier key stays the same. The node then creates a new EdDSA key for
-- tokens at start (ensureKeys). A node whose log has no checkpoint yet gets a fresh log key.
UPDATE signing_keys SET purpose = 'log'
WHERE kid = (SELECT kid FROM signing_keys WHERE alg = 'EdDSA' AND state = 'active' ORDER BY created_at DESC LIMIT 1)
  AND EXISTS (SELECT 1 FROM log_checkpoints);

-- At most one log key is active.
CREATE UNIQUE INDEX signing_keys_one_active_log_key ON signing_keys (purpose) WHERE purpose = 'log' AND state = 'active';
