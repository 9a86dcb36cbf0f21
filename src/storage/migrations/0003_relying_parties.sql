-- Relying parties (SPEC F7, F9, F11): the apps and public services that sign people in through
-- netid. Reference data — small, shared, not person-owned — read on every OIDC request, so a
-- suspension takes effect on the next request on every node (no cross-node client cache).
CREATE TABLE relying_parties (
  client_id                  text PRIMARY KEY,
  name                       text NOT NULL,
  organisation               text NOT NULL,
  category                   text NOT NULL CHECK (category IN ('public_service', 'commercial')),
  state                      text NOT NULL CHECK (state IN ('pending', 'approved', 'suspended')),
  redirect_uris              jsonb NOT NULL,
  post_logout_redirect_uris  jsonb NOT NULL DEFAULT '[]'::jsonb,
  sector_identifier          text NOT NULL,
  token_endpoint_auth_method text NOT NULL CHECK (token_endpoint_auth_method IN ('private_key_jwt', 'client_secret_basic')),
  jwks                       jsonb,
  -- client_secret_basic needs the plain secret to verify: sealed under the master key.
  client_secret_sealed       bytea,
  -- [{ "claim": "name", "legal_basis": "…statute text…" }]
  claims                     jsonb NOT NULL DEFAULT '[]'::jsonb,
  required_acr               text NOT NULL CHECK (required_acr IN ('basic', 'substantial', 'high')),
  fapi2                      boolean NOT NULL DEFAULT false,
  backchannel_logout_uri     text,
  version                    integer NOT NULL DEFAULT 1,
  created_at                 timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL
);
CREATE INDEX relying_parties_sector ON relying_parties (sector_identifier);

-- Every change to a relying party: registration, approval, suspension, reinstatement.
CREATE TABLE relying_party_history (
  client_id   text NOT NULL,
  seq         integer NOT NULL,
  action      text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  actor       text NOT NULL,
  reason      text,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, seq)
);
