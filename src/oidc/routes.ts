/**
 * The OpenID Provider on the public listener: oidc-provider's own endpoints (discovery at the
 * issuer's /.well-known/openid-configuration, the rest under /oidc) handed the raw request, and
 * netid's interaction endpoints (passkey, live face, consent) as fastify routes.
 */
import { readFileSync } from 'node:fs';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { InteractionDetails, Provider } from 'oidc-provider';
import type { Services } from '../app/services.ts';
import type { NetidError } from '../domain/errors.ts';
import { OidcError } from './errors.ts';
import type { FaceEngine } from '../face/face-engine.ts';
import type { RouteModule } from '../http/server.ts';
import { limited, limitedUnless } from '../http/rate-limit.ts';
import { relyingPartyRegistryOf } from '../relying-parties/admin-routes.ts';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { scheduleSweep, StoreUnavailableError, type EphemeralStore } from '../storage/ephemeral-store.ts';
import { achieved, targetLevel } from './assurance.ts';
import { PersonGrants, type DisconnectNotifier } from './grants.ts';
import { ScanLogins } from './scan-login.ts';
import { requestLocale } from '../http/error-mapper.ts';
import { scanLoginRoutes } from './scan-login-routes.ts';
import { assuranceRank, CLAIMS, DEFAULT_CLAIMS, type AssuranceLevel } from './claims.ts';
import { liveFaceMatch } from './face-step.ts';
import { consentPage, errorPage, facePage, loginPage, t, type PageLocale } from './pages.ts';
import { createProvider, OIDC_PREFIX, requestedClaims } from './provider.ts';


const LOGIN_STEP = 'NetidLoginStep';
/** How the person proved who they are for this sign-in: a passkey on the sign-in screen, or their phone. */
type SignInChannel = 'passkey' | 'scan';
const MAX_FACE_ATTEMPTS = 3;

export interface OidcOptions {
  /** The face engine for `high` (loaded on first use). */
  readonly faceEngine?: () => Promise<FaceEngine>;
  /** Sweep interval for expired provider state; 0 disables (tests). */
  readonly sweepIntervalMs?: number;
}

export interface OidcHandle {
  readonly provider: Provider;
  readonly store: EphemeralStore;
  readonly registry: RelyingPartyRegistry;
  readonly grants: PersonGrants;
  readonly stopSweep: () => void;
}

export async function buildOidc(services: Services, options: OidcOptions = {}): Promise<OidcHandle> {
  const store = services.ephemeral;
  const registry = relyingPartyRegistryOf(services);
  const grants = new PersonGrants({ store, now: services.now });
  const provider = createProvider({
    issuer: services.config.NETID_ISSUER,
    jwks: (await services.keys.privateJwks()) as { keys: Record<string, unknown>[] },
    cookieKeys: [services.sealer.deriveKey('oidc-cookies').toString('base64url')],
    pairwiseKey: services.sealer.deriveKey('pairwise'),
    store,
    registry,
    persons: services.persons,
    now: services.now,
    rememberedPlaintext: (personId, clientId) => grants.rememberedPlaintext(personId, clientId),
    allowLoopbackCalls: services.config.NETID_OUTBOUND_ALLOW_LOOPBACK,
    passkeysRemovedAt: (personId) => services.passkeys.devices.lastRemovedAt(personId),
  });
  // The session id an app receives (`sid`) is known once the authorization succeeds; a disconnect logs it out at the app.
  provider.on('authorization.success', (ctx: { oidc?: { session?: { accountId?: string; sidFor(clientId: string): string | undefined }; client?: { clientId: string } } }) => {
    const session = ctx.oidc?.session;
    const clientId = ctx.oidc?.client?.clientId;
    const sid = clientId ? session?.sidFor(clientId) : undefined;
    if (session?.accountId && clientId && sid) grants.rememberSession(session.accountId, clientId, sid).catch((error: unknown) => services.logger.warn({ err: error }, 'could not remember the app session'));
  });
  const stopSweep = options.sweepIntervalMs === 0 ? () => {} : scheduleSweep(store, options.sweepIntervalMs ?? 60_000, (error) => services.logger.warn({ err: error }, 'ephemeral sweep failed'));
  return { provider, store, registry, grants, stopSweep };
}

/**
 * Tells an app that registered a back-channel logout URI that the person disconnected it: one
 * logout token (pairwise `sub`, `sid`, signed like an ID token) per session the app knew. A
 * suspended or pending app is not told (it cannot sign anyone in). Delivery is tried once.
 */
function backChannelLogout(provider: Provider, logger: Services['logger']): DisconnectNotifier {
  return async (personId, clientId, sids) => {
    const client = await provider.Client.find(clientId) as { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid?: string): Promise<void> } | undefined;
    if (!client?.backchannelLogoutUri || sids.length === 0) return { notified: false };
    const results = await Promise.allSettled(sids.map((sid) => client.backchannelLogout(personId, sid)));
    for (const r of results) if (r.status === 'rejected') logger.warn({ err: r.reason, client_id: clientId }, 'back-channel logout after a disconnect failed');
    return { notified: results.some((r) => r.status === 'fulfilled') };
  };
}

function localeOf(request: FastifyRequest): PageLocale {
  return requestLocale(request);
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

export function oidcRoutes(services: Services, options: OidcOptions = {}, onReady?: (handle: OidcHandle) => void): RouteModule {
  return async (app: FastifyInstance) => {
    const handle = await buildOidc(services, options);
    onReady?.(handle);
    app.addHook('onClose', async () => handle.stopSweep());
    const { provider, store, registry, grants } = handle;
    const scans = new ScanLogins({ store, now: services.now });
    services.disconnectNotifiers.push(backChannelLogout(provider, services.logger));
    const callback = provider.callback();
    let engine: Promise<FaceEngine> | null = null;
    const faceEngine = () => (engine ??= (options.faceEngine ?? (async () => (await import('../face/onnx-face-engine.ts')).loadOnnxFaceEngine()))());
    const script = readFileSync(new URL('./static/interaction.js', import.meta.url));

    // oidc-provider reads its own bodies: no fastify parsing in this scope.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const handler = (request: FastifyRequest, reply: FastifyReply) => {
        reply.hijack();
        callback(request.raw, reply.raw);
      };
      scope.all('/.well-known/openid-configuration', { schema: { hide: true } }, handler);
      // Apps' servers call the back-channel endpoints (client-authenticated); browsers the rest.
      scope.all(`${OIDC_PREFIX}/*`, { schema: { hide: true }, config: limitedUnless((request) => /^\/oidc\/(token|jwks|userinfo|par)(\/|\?|$)/.test(request.url), 'sign_in_start') }, handler);
    });

    await app.register(async (scope) => {
      await scope.register(formbody);
      scope.get(`${OIDC_PREFIX}/static/interaction.js`, { schema: { hide: true } }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(script));

      const details = async (request: FastifyRequest, reply: FastifyReply): Promise<InteractionDetails> => {
        try {
          const found = await provider.interactionDetails(request.raw, reply.raw);
          if (found.uid !== (request.params as { uid: string }).uid) throw new Error('uid mismatch');
          return found;
        } catch (error) {
          // A store that cannot be reached is an outage to retry, not a sign-in that ended.
          if (error instanceof StoreUnavailableError) throw error;
          throw OidcError('oidc.interaction_expired');
        }
      };
      const clientOf = async (d: InteractionDetails) => provider.Client.find(String(d.params.client_id)) as Promise<{ clientId: string; clientName?: string; netid_sector: string; netid_required_acr: AssuranceLevel } | undefined>;

      /**
       * Every sign-in is in the person's activity; every release of claims is also an accountable
       * event in the transparency log (claim names only, the person only as a commitment).
       */
      const record = async (personId: string, clientId: string, sector: string, detail: { claims: string[] } & Record<string, unknown>) => {
        await services.activity.record({ personId, type: 'oidc.sign_in', occurredAt: services.now(), relyingPartyId: clientId, details: { sector, ...detail } });
        if (detail.result === 'success' && detail.claims.length) {
          await services.transparency.recordAccountableEvent({ type: 'disclosure.claims', actor: 'person', personId, relyingParty: clientId, claims: detail.claims });
        }
      };

      /** The legal basis of each plaintext claim, as the app registered it and the consent screen shows it. */
      const legalBases = async (clientId: string, plaintext: readonly string[]): Promise<Record<string, string>> => {
        if (!plaintext.length) return {};
        const bases = new Map((await registry.find(clientId))?.claims.map((c) => [c.claim, c.legal_basis]) ?? []);
        return Object.fromEntries(plaintext.map((claim) => [claim, bases.get(claim) ?? '']));
      };

      /** How the person signed in, from the login step that preceded a consent prompt. */
      const signedInWith = (d: InteractionDetails): Record<string, unknown> => {
        const last = (d.lastSubmission ?? {}) as { login?: { acr?: unknown; amr?: unknown }; netid_via?: unknown };
        return { acr: last.login?.acr, amr: last.login?.amr, via: last.netid_via };
      };

      /** Ends the interaction with an OAuth error back to the app. */
      const finishWithError = async (request: FastifyRequest, reply: FastifyReply, error: string, description: string) => {
        const redirect = await provider.interactionResult(request.raw, reply.raw, { error, error_description: description }, { mergeWithLastSubmission: false });
        return redirect;
      };

      /** Login done: sign the person in; when no consent screen is needed, grant at once. */
      const finishLogin = async (request: FastifyRequest, reply: FastifyReply, d: InteractionDetails, personId: string, userVerified: boolean, faceMatched: boolean, via: SignInChannel) => {
        const client = (await clientOf(d))!;
        // A revocation in force (docs/accountability.md) holds the person's credentials everywhere: no app gets a sign-in.
        if ((await services.persons.standing(personId))?.credentialsHeld) {
          await record(personId, client.clientId, client.netid_sector, { result: 'failed', reason: 'credentials_revoked', claims: [] });
          return finishWithError(request, reply, 'access_denied', 'the person\'s credentials are revoked');
        }
        // An app whose access was suspended for this person (revocation with due process) gets no sign-in.
        if (await services.revocation.isBlockedForApp(personId, client.clientId)) {
          await record(personId, client.clientId, client.netid_sector, { result: 'failed', reason: 'app_access_blocked', claims: [] });
          return finishWithError(request, reply, 'access_denied', 'access to this app is suspended for this person');
        }
        const { acr, amr } = achieved(userVerified, faceMatched);
        // `netid_via` rides along to the consent prompt (its lastSubmission), which records the sign-in.
        const result: Record<string, unknown> = { login: { accountId: personId, acr, amr, remember: true }, netid_via: via };
        const requested = requestedClaims(d.params);
        const plaintext = requested.filter((c) => CLAIMS[c]?.plaintext);
        const remembered = await grants.rememberedPlaintext(personId, client.clientId);
        if (plaintext.every((c) => remembered.has(c))) {
          result.consent = { grantId: await saveGrant(d, personId, client.clientId) };
          await record(personId, client.clientId, client.netid_sector, { result: 'success', acr, amr, via, claims: [...DEFAULT_CLAIMS, ...requested], legal_basis: await legalBases(client.clientId, plaintext) });
        }
        // Otherwise the consent screen follows, and its answer is this sign-in's one activity entry.
        return provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
      };

      /** The session's grant for this app (extended), or a new one; indexed so the person can disconnect. */
      const saveGrant = async (d: InteractionDetails, personId: string, clientId: string): Promise<string> => {
        const existing = d.grantId ? await provider.Grant.find(d.grantId) : undefined;
        const grant = existing && existing.accountId === personId && existing.clientId === clientId ? existing : new provider.Grant({ accountId: personId, clientId });
        grant.addOIDCScope(String(d.params.scope ?? 'openid'));
        const fromClaimsParam = requestedClaims({ claims: d.params.claims as string | undefined });
        if (fromClaimsParam.length) grant.addOIDCClaims(fromClaimsParam);
        const grantId = await grant.save();
        await grants.remember(personId, clientId, grantId);
        return grantId;
      };

      scope.get(`${OIDC_PREFIX}/interaction/:uid`, { schema: { hide: true }, config: limited('sign_in_start') }, async (request, reply) => {
        const locale = localeOf(request);
        let d: InteractionDetails;
        try {
          d = await details(request, reply);
        } catch (error) {
          return sendPage(reply, (error as NetidError).status, errorPage(locale, (error as NetidError).localized(locale), (error as NetidError).code));
        }
        const client = await clientOf(d);
        if (!client) {
          const registered = await registry.find(String(d.params.client_id));
          return sendPage(reply, 403, errorPage(locale, registered?.state === 'suspended' ? t('suspended', locale) : t('pending', locale), 'oidc.app_unavailable'));
        }
        const appName = client.clientName ?? client.clientId;
        if (d.prompt.name === 'login') {
          const step = await store.get(LOGIN_STEP, d.uid);
          if (step) return sendPage(reply, 200, facePage({ locale, uid: d.uid }));
          const scanUrl = new URL(`/scan/${await scans.start(d.uid, client.clientId)}`, services.config.NETID_ISSUER).href;
          return sendPage(reply, 200, loginPage({ locale, uid: d.uid, appName, target: targetLevel(client.netid_required_acr, d.params), scanUrl }));
        }
        // consent: only plaintext identity needs the screen (the rest is the app's registered, non-identifying set).
        const personId = d.session!.accountId;
        const registration = await registry.find(client.clientId);
        const plaintext = requestedClaims(d.params).filter((c) => CLAIMS[c]?.plaintext);
        if (!plaintext.length) {
          const grantId = await saveGrant(d, personId, client.clientId);
          await record(personId, client.clientId, client.netid_sector, { result: 'success', ...signedInWith(d), claims: [...DEFAULT_CLAIMS, ...requestedClaims(d.params)] });
          return reply.redirect(await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true }), 303);
        }
        const bases = new Map(registration!.claims.map((c) => [c.claim, c.legal_basis]));
        return sendPage(reply, 200, consentPage({ locale, uid: d.uid, appName, organisation: registration!.organisation, claims: plaintext.map((claim) => ({ claim, legalBasis: bases.get(claim) ?? '' })) }));
      });

      scope.post(`${OIDC_PREFIX}/interaction/:uid/passkey/options`, { schema: { hide: true }, config: limited('passkey_options') }, async (request, reply) => {
        const d = await details(request, reply);
        return services.passkeys.authenticationOptions(`oidc_sign_in:${d.uid}`);
      });

      scope.post(`${OIDC_PREFIX}/interaction/:uid/passkey`, { schema: { hide: true }, config: limited('passkey_verification', 'passkey_credential') }, async (request, reply) => {
        const d = await details(request, reply);
        const client = await clientOf(d);
        if (!client) throw OidcError('oidc.interaction_expired');
        const verified = await services.passkeys.finishAuthentication(`oidc_sign_in:${d.uid}`, request.body as AuthenticationResponseJSON, undefined, { requireUserVerification: false });
        if (!verified.ok) throw OidcError('oidc.passkey_failed', { reason: verified.error.code === 'passkey.challenge_invalid' ? 'challenge' : verified.error.code });
        return authenticated(request, reply, d, client, verified.value.personId, verified.value.userVerified, 'passkey');
      });

      /**
       * The person is known (passkey on this screen, or approval on their phone): the app's level
       * decides what follows — user verification for `substantial`, the live face step for `high`.
       */
      const authenticated = async (request: FastifyRequest, reply: FastifyReply, d: InteractionDetails, client: NonNullable<Awaited<ReturnType<typeof clientOf>>>, personId: string, userVerified: boolean, via: SignInChannel) => {
        const target = targetLevel(client.netid_required_acr, d.params);
        if (assuranceRank(target) >= assuranceRank('substantial') && !userVerified) {
          await record(personId, client.clientId, client.netid_sector, { result: 'failed', reason: 'user_verification_required', via, claims: [] });
          throw OidcError('oidc.user_verification_required');
        }
        if (target === 'high') {
          await store.put(LOGIN_STEP, d.uid, { payload: { personId, userVerified, faceAttempts: 0, via }, expiresAt: new Date(services.now().getTime() + 15 * 60_000) });
          return { redirect_to: `${OIDC_PREFIX}/interaction/${d.uid}`, next: 'face' };
        }
        return { redirect_to: await finishLogin(request, reply, d, personId, userVerified, false, via) };
      };

      /** The sign-in page polls while the QR code is shown; it continues once the phone decided. */
      scope.post(`${OIDC_PREFIX}/interaction/:uid/scan`, { schema: { hide: true }, config: limited('scan_poll') }, async (request, reply) => {
        const d = await details(request, reply);
        const client = await clientOf(d);
        if (!client || d.prompt.name !== 'login') throw OidcError('oidc.interaction_expired');
        const outcome = await scans.poll(d.uid);
        if (!outcome) throw OidcError('oidc.interaction_expired');
        if (outcome.state === 'pending') return { state: 'pending' };
        if (outcome.state === 'declined') return { redirect_to: await finishWithError(request, reply, 'access_denied', 'the person declined on their phone') };
        return authenticated(request, reply, d, client, outcome.personId, outcome.userVerified, 'scan');
      });

      scope.post(`${OIDC_PREFIX}/interaction/:uid/face`, { schema: { hide: true }, bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
        const d = await details(request, reply);
        const client = await clientOf(d);
        const step = await store.get(LOGIN_STEP, d.uid);
        if (!client || !step) throw OidcError('oidc.face_required');
        const { personId, userVerified, via } = step.payload as { personId: string; userVerified: boolean; faceAttempts: number; via?: SignInChannel };
        const attempts = Number(step.payload.faceAttempts ?? 0) + 1;
        const selfie = Buffer.from(String((request.body as { selfie?: string })?.selfie ?? ''), 'base64');
        const outcome = await liveFaceMatch({ engine: await faceEngine(), persons: services.persons, registry: services.registry }, personId, selfie);
        if (outcome.ok) {
          await store.destroy(LOGIN_STEP, d.uid);
          return { redirect_to: await finishLogin(request, reply, d, personId, userVerified, true, via ?? 'passkey') };
        }
        await record(personId, client.clientId, client.netid_sector, { result: 'failed', reason: outcome.error.code, claims: [] });
        if (outcome.error.code === 'face.no_portrait' || attempts >= MAX_FACE_ATTEMPTS) {
          await store.destroy(LOGIN_STEP, d.uid);
          // The app needs `high` and it cannot be reached: never claim it, end the sign-in.
          return { redirect_to: await finishWithError(request, reply, 'access_denied', 'the high assurance level (live face match) was not reached') };
        }
        await store.put(LOGIN_STEP, d.uid, { payload: { ...step.payload, faceAttempts: attempts }, expiresAt: step.expiresAt });
        throw OidcError('oidc.face_failed', { attempts_left: MAX_FACE_ATTEMPTS - attempts });
      });

      scope.post(`${OIDC_PREFIX}/interaction/:uid/consent`, { schema: { hide: true } }, async (request, reply) => {
        const d = await details(request, reply);
        const client = await clientOf(d);
        if (!client || d.prompt.name !== 'consent') throw OidcError('oidc.interaction_expired');
        const body = (request.body ?? {}) as { decision?: string; remember?: string };
        const personId = d.session!.accountId;
        const requested = requestedClaims(d.params);
        if (body.decision !== 'agree') {
          await record(personId, client.clientId, client.netid_sector, { result: 'declined', ...signedInWith(d), claims: [] });
          return reply.redirect(await finishWithError(request, reply, 'access_denied', 'the person did not consent to share plaintext identity'), 303);
        }
        if (body.remember === 'yes') {
          const plaintext = requested.filter((c) => CLAIMS[c]?.plaintext);
          await grants.rememberPlaintext(personId, client.clientId, plaintext);
        }
        const grantId = await saveGrant(d, personId, client.clientId);
        await record(personId, client.clientId, client.netid_sector, { result: 'success', ...signedInWith(d), consent: body.remember === 'yes' ? 'remembered' : 'this_time', claims: [...DEFAULT_CLAIMS, ...requested], legal_basis: await legalBases(client.clientId, requested.filter((c) => CLAIMS[c]?.plaintext)) });
        return reply.redirect(await provider.interactionResult(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true }), 303);
      });

      scanLoginRoutes({ services, provider, scans, registry })(scope);

      scope.post(`${OIDC_PREFIX}/interaction/:uid/abort`, { schema: { hide: true }, config: limited('sign_in_start') }, async (request, reply) => {
        const d = await details(request, reply);
        // Cancelled at the consent prompt: the person had signed in, so the sign-in's one entry says so.
        const client = d.prompt.name === 'consent' && d.session?.accountId ? await clientOf(d) : undefined;
        if (client) await record(d.session!.accountId, client.clientId, client.netid_sector, { result: 'declined', ...signedInWith(d), claims: [] });
        await store.destroy(LOGIN_STEP, (request.params as { uid: string }).uid);
        return reply.redirect(await finishWithError(request, reply, 'access_denied', 'the person cancelled the sign-in'), 303);
      });
    });
  };
}
