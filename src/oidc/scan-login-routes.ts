/**
 * The phone's side of scan-to-login, in the netid app: /scan/:code (the QR code's URL) shows
 * which app asks and what it will receive, and the person approves or declines. Approval needs
 * the netid app's session from a user-verified passkey (PIN or biometrics on the phone); without
 * a session the person signs in first and comes back here.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from 'oidc-provider';
import { SESSION_COOKIE } from '../accounts/person-session.ts';
import type { Services } from '../app/services.ts';
import { readCookie } from '../http/cookies.ts';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { html, pageLang, renderPage, sendPage } from '../web/layout.ts';
import { CLAIMS, DEFAULT_CLAIMS } from './claims.ts';
import { t, type PageLocale } from './pages.ts';
import { requestedClaims } from './provider.ts';
import type { ScanLogins } from './scan-login.ts';

export interface ScanLoginRouteDeps {
  readonly services: Services;
  readonly provider: Provider;
  readonly scans: ScanLogins;
  readonly registry: RelyingPartyRegistry;
}

export function scanLoginRoutes(deps: ScanLoginRouteDeps): (app: FastifyInstance) => void {
  const { services, provider, scans, registry } = deps;

  const page = (reply: FastifyReply, lang: PageLocale, status: number, title: string, body: ReturnType<typeof html>) =>
    sendPage(reply, renderPage({ title, lang, body, path: '/' }), status);
  const expired = (reply: FastifyReply, lang: PageLocale) =>
    page(reply, lang, 404, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1><div class="alert" role="alert">${t('scanExpired', lang)}</div>`);

  /** The signed-in person, or a redirect to the netid app's sign-in that comes back here. */
  const personOf = async (request: FastifyRequest, reply: FastifyReply) => {
    const token = readCookie(request, SESSION_COOKIE);
    const session = token ? await services.personSessions.verify(token) : null;
    if (!session) await reply.redirect(`/signin?next=${encodeURIComponent(new URL(request.url, 'http://x').pathname)}`, 303);
    return session;
  };

  return (app) => {
    app.get('/scan/:code', { schema: { hide: true } }, async (request, reply) => {
      const lang = pageLang(request);
      const session = await personOf(request, reply);
      if (!session) return reply;
      const code = (request.params as { code: string }).code;
      const scan = await scans.lookup(code);
      const rp = scan ? await registry.find(scan.clientId) : null;
      const interaction = scan ? await provider.Interaction.find(scan.uid) : undefined;
      if (!scan || !rp || !interaction) return expired(reply, lang);
      const claims = [...new Set([...DEFAULT_CLAIMS, ...requestedClaims(interaction.params as Record<string, unknown>)])];
      const claimName = (c: string) => (lang === 'en' ? CLAIMS[c]?.en : CLAIMS[c]?.zh) ?? c;
      return page(reply, lang, 200, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1>
<p class="lead"><strong id="scan-app">${rp.name}</strong> (${rp.organisation}) ${t('scanAsks', lang)}</p>
<section class="card" aria-labelledby="h-scan-claims"><h2 id="h-scan-claims" class="h3">${t('scanReceives', lang)}</h2>
<ul>${claims.map((c) => html`<li>${claimName(c)} (<code>${c}</code>)</li>`)}</ul></section>
<p>${t('scanWarning', lang)}</p>
<form method="post" action="/scan/${code}" class="actions">
<button type="submit" name="decision" value="approve" id="scan-approve">${t('scanApprove', lang)}</button>
<button type="submit" name="decision" value="decline" class="secondary" id="scan-decline">${t('scanDecline', lang)}</button>
</form>`);
    });

    app.post('/scan/:code', { schema: { hide: true } }, async (request, reply) => {
      const lang = pageLang(request);
      const session = await personOf(request, reply);
      if (!session) return reply;
      const code = (request.params as { code: string }).code;
      const approve = (request.body as { decision?: string } | undefined)?.decision === 'approve';
      // Verified on this phone: a passkey with PIN or biometrics, or the live face match of enrolment.
      const userVerified = session.amr.includes('uv') || session.amr.includes('face');
      const done = await scans.decide(code, approve ? { approve: true, personId: session.personId, userVerified } : { approve: false });
      if (!done) return expired(reply, lang);
      const message = approve ? t('scanApproved', lang) : t('scanDeclined', lang);
      return page(reply, lang, 200, t('scanTitle', lang), html`<h1>${t('scanTitle', lang)}</h1><div class="notice" role="status" id="scan-done">${message}</div>
<p><a href="/">${t('scanHome', lang)}</a></p>`);
    });
  };
}
