/**
 * A registered relying party as oidc-provider client metadata. Every client is pairwise; its
 * sector is the registered sector identifier (carried as sector_identifier_uri's host, which the
 * provider is told not to fetch: the registry, not a remote document, is the authority). Scopes are
 * `openid`, `offline_access` and one scope per registered claim, so asking for anything else is
 * `invalid_scope`.
 */
import type { RelyingParty } from '../relying-parties/registry.ts';

export function clientMetadata(rp: RelyingParty, clientSecret: string | null): Record<string, unknown> {
  return {
    client_id: rp.clientId,
    client_name: rp.name,
    redirect_uris: [...rp.redirectUris],
    post_logout_redirect_uris: [...rp.postLogoutRedirectUris],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: rp.tokenEndpointAuthMethod,
    ...(rp.tokenEndpointAuthMethod === 'private_key_jwt' ? { jwks: rp.jwks } : { client_secret: clientSecret }),
    subject_type: 'pairwise',
    sector_identifier_uri: `https://${rp.sectorIdentifier}/`,
    scope: ['openid', 'offline_access', ...rp.claims.map((c) => c.claim)].join(' '),
    id_token_signed_response_alg: 'ES256',
    ...(rp.backchannelLogoutUri ? { backchannel_logout_uri: rp.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    ...(rp.fapi2 ? { require_pushed_authorization_requests: true, dpop_bound_access_tokens: true } : {}),
    netid_sector: rp.sectorIdentifier,
    netid_fapi2: rp.fapi2,
    netid_required_acr: rp.requiredAcr,
  };
}
