/**
 * netid's OpenID Provider: oidc-provider configured for the national service. Issuer = NETID_ISSUER
 * (discovery at `${issuer}/.well-known/openid-configuration`), endpoints under /oidc. Every client
 * is pairwise; PKCE S256 is always required; PAR, DPoP, refresh-token rotation, introspection,
 * RP-initiated and back-channel logout are on; apps registered for FAPI 2.0 get that profile.
 *
 * Signing keys: oidc-provider signs itself and therefore needs private JWKs, taken from the
 * KeyStore (`privateJwks()`). A deployment with an HSM would give oidc-provider
 * `ExternalSigningKey` instances instead (its key hook), keeping private keys in the module.
 */
import Provider, { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { GRANT_TTL_SECONDS } from './grants.ts';
import type { PersonRepository } from '../accounts/person-repository.ts';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import { adapterFactory } from './adapter.ts';
import { targetLevel } from './assurance.ts';
import { assuranceRank, CLAIMS, DEFAULT_CLAIMS, SCOPE_CLAIMS, type AssuranceLevel } from './claims.ts';
import { pairwiseSubject } from './pairwise.ts';
import { providerPageLocale, renderProviderError, renderLogoutPrompt, renderLogoutDone } from './pages.ts';
import { errorBody, HttpError } from '../http/error-mapper.ts';
import { CONTENT_SECURITY_POLICY, securityHeaderList } from '../http/security-headers.ts';

export const OIDC_PREFIX = '/oidc';

/** Claims a request may always name: the defaults and the protocol's own. */
const ALWAYS_ALLOWED = new Set([...DEFAULT_CLAIMS, 'auth_time', 'iss', 'sid', 'nonce']);

export interface ProviderDeps {
  readonly issuer: string;
  readonly jwks: { keys: Record<string, unknown>[] };
  readonly cookieKeys: string[];
  readonly pairwiseKey: Uint8Array;
  readonly store: EphemeralStore;
  readonly registry: RelyingPartyRegistry;
  readonly persons: PersonRepository;
  readonly now: () => Date;
  /** Plaintext claims the person asked netid to remember for this app (skip the consent screen). */
  readonly rememberedPlaintext: (personId: string, clientId: string) => Promise<ReadonlySet<string>>;
  /** Development and tests: allow the provider's outgoing calls (back-channel logout) to loopback and private addresses. */
  readonly allowLoopbackCalls?: boolean;
  /** When a passkey of the person was last removed, reported lost or replaced by a recovery (DeviceRepository.lastRemovedAt). */
  readonly passkeysRemovedAt?: (personId: string) => Promise<Date | null>;
}

/** The claims a request names, from its scope and its claims parameter. */
export function requestedClaims(params: { scope?: string; claims?: string }): string[] {
  const names = new Set<string>();
  for (const scope of (params.scope ?? '').split(' ')) if (CLAIMS[scope]) names.add(scope);
  if (params.claims) {
    try {
      const parsed = JSON.parse(params.claims) as { id_token?: object; userinfo?: object };
      for (const name of [...Object.keys(parsed.id_token ?? {}), ...Object.keys(parsed.userinfo ?? {})]) if (!ALWAYS_ALLOWED.has(name)) names.add(name);
    } catch {
      // rejected by the provider
    }
  }
  return [...names];
}

/** Refuses, with an error, a request for a scope or claim the app did not register (never a quietly smaller answer). */
async function checkRegisteredClaims(ctx: KoaContextWithOIDC): Promise<void> {
  const client = ctx.oidc.client;
  const allowed = new Set<string>((client.scope ?? '').split(' '));
  for (const scope of (ctx.oidc.params.scope ?? '').split(' ').filter(Boolean)) {
    if (!allowed.has(scope)) throw new errors.InvalidScope(`scope "${scope}" is not registered for this app; register it (with a legal basis for plaintext identity) first`, scope);
  }
  const claims = ctx.oidc.params.claims ? (JSON.parse(ctx.oidc.params.claims) as { id_token?: object; userinfo?: object }) : {};
  for (const name of [...Object.keys(claims.id_token ?? {}), ...Object.keys(claims.userinfo ?? {})]) {
    if (ALWAYS_ALLOWED.has(name)) continue;
    if (!allowed.has(name)) throw new errors.InvalidRequest(`claim "${name}" is not registered for this app; register it (with a legal basis for plaintext identity) first`);
  }
}

export function createProvider(deps: ProviderDeps): Provider {
  const policy = interactionPolicy.base();
  const { Check } = interactionPolicy;
  // Policies are data: each check names its reason, which reaches the interaction page and the log.
  policy.get('login').checks.add(
    new Check('acr_insufficient', 'the session does not reach the assurance level this request needs', 'login_required', (ctx: KoaContextWithOIDC) => {
      const session = ctx.oidc.session;
      if (!session?.accountId) return Check.NO_NEED_TO_PROMPT;
      const target = targetLevel(ctx.oidc.client.netid_required_acr as AssuranceLevel, ctx.oidc.params);
      return assuranceRank(session.acr) < assuranceRank(target) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  // A sign-in session opened before a passkey of the person was removed may be in the lost
  // device's browser: it signs in to no app until the person signs in again with a passkey.
  policy.get('login').checks.add(
    new Check('passkeys_changed', 'a passkey of the person was removed, reported lost or replaced by a recovery since this sign-in', 'login_required', async (ctx: KoaContextWithOIDC) => {
      const session = ctx.oidc.session;
      // A sign-in made in this very interaction is after any removal.
      if (!session?.accountId || !session.loginTs || ctx.oidc.result?.login || !deps.passkeysRemovedAt) return Check.NO_NEED_TO_PROMPT;
      const removed = await deps.passkeysRemovedAt(session.accountId);
      // loginTs is in whole seconds: a sign-in in the same second as the removal counts as before it.
      return removed && removed.getTime() >= session.loginTs * 1000 ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  policy.get('consent').checks.add(
    new Check('plaintext_consent_required', 'plaintext identity is released only with the person\'s consent, asked each time unless remembered', 'consent_required', async (ctx: KoaContextWithOIDC) => {
      const plaintext = requestedClaims(ctx.oidc.params).filter((c) => CLAIMS[c]?.plaintext);
      if (!plaintext.length) return Check.NO_NEED_TO_PROMPT;
      if (ctx.oidc.result?.consent?.grantId) return Check.NO_NEED_TO_PROMPT;
      const remembered = await deps.rememberedPlaintext(ctx.oidc.session.accountId, ctx.oidc.client.clientId);
      return plaintext.every((c) => remembered.has(c)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  const claimsConfig: Record<string, string[] | null> = { auth_time: null, sid: null, iss: null };
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) claimsConfig[scope] = [...claims];

  const provider = new Provider(deps.issuer, {
    adapter: adapterFactory({ store: deps.store, registry: deps.registry, now: deps.now }),
    jwks: deps.jwks,
    cookies: { keys: deps.cookieKeys, long: { signed: true, httpOnly: true, sameSite: 'lax' }, short: { signed: true, httpOnly: true, sameSite: 'lax' } },
    claims: claimsConfig,
    conformIdTokenClaims: false,
    acrValues: ['basic', 'substantial', 'high'],
    subjectTypes: ['pairwise'],
    responseTypes: ['code'],
    clientAuthMethods: ['private_key_jwt', 'client_secret_basic'],
    enabledJWA: { idTokenSigningAlgValues: ['ES256', 'EdDSA'], clientAuthSigningAlgValues: ['ES256', 'PS256', 'RS256', 'EdDSA'], dPoPSigningAlgValues: ['ES256', 'PS256', 'EdDSA'] },
    pkce: { required: () => true },
    // OpenID Connect requires redirect_uri on every authorization request. Besides, oidc-provider's
    // fill-in for an omitted one crashes its error path on a failed resume (a 500 instead of an error page).
    allowOmittingSingleRegisteredRedirectUri: false,
    extraClientMetadata: { properties: ['netid_sector', 'netid_fapi2', 'netid_required_acr'] },
    extraParams: { netid_registered_claims: (ctx: KoaContextWithOIDC) => checkRegisteredClaims(ctx) },
    sectorIdentifierUriValidate: () => false,
    async pairwiseIdentifier(_ctx: KoaContextWithOIDC, accountId: string, client: { netid_sector?: string; sectorIdentifier?: string }) {
      const sector = client.netid_sector ?? client.sectorIdentifier;
      if (!sector) throw new TypeError('client without a sector');
      return pairwiseSubject(deps.pairwiseKey, sector, accountId);
    },
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      // A person whose revocation is in force is no account for apps: no sign-in, refresh or userinfo.
      const person = await deps.persons.standing(sub);
      if (!person || person.state !== 'active' || person.credentialsHeld) return undefined;
      return {
        accountId: sub,
        async claims(_use: string, scope: string, requested: Record<string, unknown> | undefined) {
          const wanted = new Set([...scope.split(' '), ...Object.keys(requested ?? {})].filter((c) => CLAIMS[c]));
          const result: Record<string, unknown> = { sub, verified: true };
          if (!wanted.size) return result;
          // Decrypted only when a granted claim needs it.
          const attributes = await deps.persons.attributes(sub);
          for (const name of wanted) result[name] = CLAIMS[name]!.value(attributes, { webNumber: person.webNumber, today: deps.now() });
          return result;
        },
      };
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `${OIDC_PREFIX}/interaction/${interaction.uid}`, policy },
    routes: {
      authorization: `${OIDC_PREFIX}/auth`,
      token: `${OIDC_PREFIX}/token`,
      jwks: `${OIDC_PREFIX}/jwks`,
      userinfo: `${OIDC_PREFIX}/userinfo`,
      introspection: `${OIDC_PREFIX}/token/introspection`,
      revocation: `${OIDC_PREFIX}/token/revocation`,
      end_session: `${OIDC_PREFIX}/session/end`,
      pushed_authorization_request: `${OIDC_PREFIX}/par`,
      code_verification: `${OIDC_PREFIX}/device`,
      device_authorization: `${OIDC_PREFIX}/device/auth`,
      registration: `${OIDC_PREFIX}/reg`,
      backchannel_authentication: `${OIDC_PREFIX}/backchannel`,
    },
    // oidc-provider refuses outgoing calls to special-use addresses (SSRF); a development node may call an app on this machine.
    ...(deps.allowLoopbackCalls ? { fetch: (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => fetch(url, { ...options, dispatcher: undefined } as RequestInit) } : {}),
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async (_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: renderLogoutPrompt, postLogoutSuccessSource: renderLogoutDone },
      backchannelLogout: { enabled: true },
      fapi: { enabled: true, profile: (_ctx: KoaContextWithOIDC, client?: { netid_fapi2?: boolean }) => (client?.netid_fapi2 ? '2.0' : undefined) },
    },
    rotateRefreshToken: true,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 900, Session: 8 * 3600, Grant: GRANT_TTL_SECONDS, RefreshToken: 14 * 24 * 3600, PushedAuthorizationRequest: 60, DPoPProof: 300 },
    renderError: (ctx: KoaContextWithOIDC, out: Record<string, string>) => renderProviderError(ctx, out, deps.registry),
  });
  // oidc-provider writes to the raw response, past fastify's onSend hook: the same security headers
  // are set here, before it runs, so its pages (logout, errors, the form_post page, to whose CSP it
  // adds the hash of its one inline script) and its JSON carry them too.
  const headers = [...securityHeaderList({ https: deps.issuer.startsWith('https://') }), ['content-security-policy', CONTENT_SECURITY_POLICY] as const];
  provider.use(async (ctx, next) => {
    for (const [name, value] of headers) ctx.set(name, value);
    await next();
    // A path or method oidc-provider does not serve: the same coded 404 as everywhere else.
    if (ctx.status === 404 && ctx.body == null) {
      ctx.status = 404;
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = errorBody(HttpError('request.not_found'), providerPageLocale(ctx));
    }
  });
  return provider;
}
