/**
 * The phone's side of scan-to-login, in the netid app: /scan/:code (the QR code's URL) shows
 * which app asks and what it will receive, and the person approves or declines. Approving takes a
 * fresh passkey assertion with user verification (PIN or biometrics) by the person signed in to
 * the netid app on the phone, so a phone left signed in cannot approve by a tap alone; declining
 * is a plain form. Without a session the person signs in first and comes back here.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Provider } from 'oidc-provider';
import type { Services } from '../app/services.ts';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { html, pageLang, renderPage, sendPage } from '../web/layout.ts';
import { DEFAULT_CLAIMS } from './claims.ts';
import { claimLabel } from '../domain/identity/index.ts';
import { t, type PageLocale } from './pages.ts';
import { requestedClaims } from './provider.ts';
import type { ScanLogins } from './scan-login.ts';
import { limited } from '../http/rate-limit.ts';
import { OidcError } from './errors.ts';

/** The passkey challenge purpose of a scan approval. */
const SCAN_APPROVAL = 'scan_approve';

export interface ScanLoginRouteDeps {
  readonly services: Services;
  readonly provider: Provider;
  readonly scans: ScanLogins;
  readonly registry: RelyingPartyRegistry;
}

export function scanLoginRoutes(deps: ScanLoginRouteDeps): (app: FastifyInstance) => void {
  const { services, provider, scans, registry } = deps;

  const page = (reply: FastifyReply, lang: PageLocale, status: number, title: string, body: ReturnType<typeof html>, scripts: string[] = []) =>
    sendPage(reply, renderPage({ title, lang, body, path: '/', scripts }), status);
  const expired = (reply: FastifyReply, lang: PageLocale) =>
    page(reply, lang, 404, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1><div class="alert" role="alert">${t('scanExpired', lang)}</div><p class="meta"><code id="error-code">oidc.scan_expired</code></p>`);

  return (app) => {
    app.get('/scan/:code', { schema: { hide: true } }, async (request, reply) => {
      const lang = pageLang(request);
      const session = await services.personSessions.forPage(request, reply);
      if (!session) return reply;
      const code = (request.params as { code: string }).code;
      const scan = await scans.lookup(code);
      const rp = scan ? await registry.find(scan.clientId) : null;
      const interaction = scan ? await provider.Interaction.find(scan.uid) : undefined;
      if (!scan || !rp || !interaction) return expired(reply, lang);
      const claims = [...new Set([...DEFAULT_CLAIMS, ...requestedClaims(interaction.params as Record<string, unknown>)])];
      return page(reply, lang, 200, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1>
<p class="lead"><strong id="scan-app">${rp.name}</strong> (${rp.organisation}) ${t('scanAsks', lang)}</p>
<section class="card" aria-labelledby="h-scan-claims"><h2 id="h-scan-claims" class="h3">${t('scanReceives', lang)}</h2>
<ul>${claims.map((c) => html`<li>${claimLabel(c, lang)} (<code>${c}</code>)</li>`)}</ul></section>
<p>${t('scanWarning', lang)}</p>
<div id="problem" class="alert" role="alert" hidden tabindex="-1"></div>
<div class="notice" role="status" id="scan-done" hidden tabindex="-1"></div>
<noscript><p>${t('noscript', lang)}</p></noscript>
<form method="post" action="/scan/${code}" class="actions" id="scan-decide">
<button type="button" id="scan-approve" data-code="${code}" data-failed="${t('scanFailed', lang)}" data-unsupported="${t('noscript', lang)}">${t('scanApprove', lang)}</button>
<button type="submit" name="decision" value="decline" class="secondary" id="scan-decline">${t('scanDecline', lang)}</button>
</form>`, ['/static/client/scan.js']);
    });

    /** Declining needs no passkey: a plain form. */
    app.post('/scan/:code', { schema: { hide: true } }, async (request, reply) => {
      const lang = pageLang(request);
      const session = await services.personSessions.forPage(request, reply);
      if (!session) return reply;
      const code = (request.params as { code: string }).code;
      if ((request.body as { decision?: string } | undefined)?.decision !== 'decline' || !(await scans.decide(code, { approve: false }))) return expired(reply, lang);
      return page(reply, lang, 200, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1><div class="notice" role="status" id="scan-done">${t('scanDeclined', lang)}</div>
<p><a href="/">${t('scanHome', lang)}</a></p>`);
    });

    /** Approving takes a fresh, user-verified passkey assertion by the signed-in person on this phone. */
    app.post('/scan/:code/options', { schema: { hide: true }, config: limited('passkey_options') }, async (request) => {
      const session = await services.personSessions.require(request);
      if (!(await scans.lookup((request.params as { code: string }).code))) throw OidcError('oidc.scan_expired');
      return services.passkeys.authenticationOptions(SCAN_APPROVAL, session.personId);
    });

    app.post('/scan/:code/approve', { schema: { hide: true }, config: limited('passkey_verification', 'passkey_credential') }, async (request) => {
      const session = await services.personSessions.require(request);
      const lang = pageLang(request);
      const verified = await services.passkeys.finishAuthentication(SCAN_APPROVAL, request.body as AuthenticationResponseJSON, session.personId);
      if (!verified.ok) throw OidcError('oidc.passkey_failed', { reason: verified.error.code });
      if (!(await scans.decide((request.params as { code: string }).code, { approve: true, personId: session.personId, userVerified: verified.value.userVerified }))) throw OidcError('oidc.scan_expired');
      return { approved: true, message: t('scanApproved', lang) };
    });
  };
}
