-- When a revocation proposal was rejected (the approval and application times were already kept),
-- so the console's history and the person's record show when each decision was made.
ALTER TABLE revocations ADD COLUMN rejected_at timestamptz;
UPDATE revocations r SET rejected_at = (
  SELECT max(a.occurred_at) FROM operator_actions a
  WHERE a.target_type = 'revocation' AND a.target_id = r.revocation_id::text AND a.action = 'revocation.rejected'
) WHERE r.state = 'rejected';

-- The operator actions about one thing (an app, a revocation, an operator), for the console's pages.
CREATE INDEX operator_actions_target ON operator_actions (target_type, target_id, occurred_at DESC);
