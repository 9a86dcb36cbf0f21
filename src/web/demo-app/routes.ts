/**
 * A tiny demo relying party at /demo-app on the public listener, so a newcomer can sign in to
 * something with netid right after `npm start`. It is a stock OpenID Connect client
 * (openid-client: authorization code + PKCE, client_secret_basic) talking to this node's own
 * issuer, registered and approved on first start when demo data is on (never in production).
 * It asks for the default result claims, `age_over_18`, and `name` (plaintext, with a stated
 * legal basis, so the separate-consent screen shows). It also asks for a refresh token
 * (`offline_access`, which OpenID Connect grants only with `prompt=consent`) and offers "check my
 * connection", a refresh grant: after the person disconnects the app in netid, that fails.
 *
 * It is another organisation's app ("Harbour Books"), so it wears its own name and its own plain
 * style, never netid's header: a person must see when they have left netid and when they are back.
 */
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { Services } from '../../app/services.ts';
import type { RouteModule } from '../../http/server.ts';
import { limited } from '../../http/rate-limit.ts';
import { relyingPartyRegistryOf } from '../../relying-parties/admin-routes.ts';
import { html, type Html } from '../html.ts';
import { readCookie } from '../../http/cookies.ts';
import { pageLang, sendPage, type PageLang } from '../layout.ts';

export const DEMO_CLIENT_ID = 'netid-demo-app';
const COOKIE = 'netid_demo_app';
const LEGAL_BASIS = 'Demo only: 《中华人民共和国网络安全法》第二十四条 (real-name registration) / Cybersecurity Law art. 24';

interface Pending { readonly verifier: string; readonly state: string; readonly nonce: string }
interface Signed { readonly claims: Record<string, unknown>; refreshToken: string | null }

const TEXT = {
  'zh-CN': { name: '海港书店', tag: '演示应用，不属于网络身份认证', title: '海港书店', lead: '一个使用网络身份认证登录的普通应用（演示）。', signin: '使用网络身份认证登录', signedIn: '您已登录演示应用。它收到了：', signout: '退出演示应用', claim: '信息', value: '值', check: '检查连接', connected: '与网络身份认证的连接有效。', revoked: '网络身份认证已撤销此应用的访问权限（您已断开连接）。请重新登录。' },
  en: { name: 'Harbour Books', tag: 'a demo app, not part of netid', title: 'Harbour Books', lead: 'An ordinary app that signs people in with netid (a demo).', signin: 'Sign in with netid', signedIn: 'You are signed in to the demo app. It received:', signout: 'Sign out of the demo app', claim: 'Claim', value: 'Value', check: 'Check my connection', connected: 'The connection to netid is valid.', revoked: 'netid has revoked this app\'s access (you disconnected it). Sign in again.' },
} as const;

/** The app's own look: nothing of netid's layout, header or stylesheet. */
const DEMO_CSS = `body{margin:0;font:16px/1.5 Georgia,'Noto Serif CJK SC',serif;background:#f6f1e7;color:#2b2118}
.demo-header{background:#1f4e5f;color:#fff;padding:.75rem 1rem;display:flex;align-items:baseline;gap:.75rem;flex-wrap:wrap}
.demo-header strong{font-size:1.3rem}.demo-header span{opacity:.9;font-size:.9rem}
main{max-width:40rem;margin:0 auto;padding:1rem}h1{font-size:1.6rem;margin:.5rem 0}
a.button,button{font:inherit;display:inline-block;min-height:44px;padding:.55rem 1rem;border-radius:4px;border:2px solid #1f4e5f;background:#1f4e5f;color:#fff;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#1f4e5f}.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
.notice{background:#e3f1e6;border-left:4px solid #2f6b3a;padding:.5rem .75rem}.alert{background:#fbe4e1;border-left:4px solid #9b2c1f;padding:.5rem .75rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;border-bottom:1px solid #d8cbb5;padding:.4rem}.table-wrap{overflow-x:auto}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}`;

function demoPage(lang: PageLang, title: string, body: Html): string {
  const t = TEXT[lang];
  return '<!doctype html>\n' + html`<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · ${t.name}</title><link rel="stylesheet" href="/demo-app/demo.css"></head>
<body><header class="demo-header"><strong>${t.name}</strong><span>${t.tag}</span></header>
<main id="main">${body}</main></body></html>`.value;
}

/** Registers (once) and approves the demo app; returns whether it is available. */
export async function ensureDemoApp(services: Services): Promise<boolean> {
  if (!services.config.NETID_DEMO_DATA) return false;
  const registry = relyingPartyRegistryOf(services);
  const existing = await registry.find(DEMO_CLIENT_ID);
  if (!existing) {
    await registry.register({
      client_id: DEMO_CLIENT_ID,
      name: '海港书店（演示应用）/ Harbour Books (demo app)',
      organisation: 'Harbour Books (demo)',
      category: 'commercial',
      redirect_uris: [new URL('/demo-app/callback', services.config.NETID_ISSUER).href],
      sector_identifier: 'demo-app.netid.localhost',
      token_endpoint_auth_method: 'client_secret_basic',
      claims: [{ claim: 'age_over_18', legal_basis: '' }, { claim: 'name', legal_basis: LEGAL_BASIS }],
      required_acr: 'substantial',
    }, 'first-run');
    await registry.transition(DEMO_CLIENT_ID, 'approve', 'first-run', 'demo app registered at first start');
  }
  return true;
}

export function demoAppRoutes(services: Services): RouteModule {
  const pending = new Map<string, Pending>();
  const signed = new Map<string, Signed>();
  let config: Promise<oidc.Configuration> | undefined;
  const issuer = services.config.NETID_ISSUER;
  const redirectUri = new URL('/demo-app/callback', issuer).href;
  const configuration = () => {
    config ??= (async () => {
      const secret = await relyingPartyRegistryOf(services).clientSecret(DEMO_CLIENT_ID);
      return oidc.discovery(new URL(issuer), DEMO_CLIENT_ID, undefined, oidc.ClientSecretBasic(secret ?? ''), issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : undefined);
    })().catch((error: unknown) => {
      config = undefined;
      throw error;
    });
    return config;
  };

  return async (app) => {
    if (!(await ensureDemoApp(services))) return;

    app.get('/demo-app/demo.css', { schema: { hide: true } }, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(DEMO_CSS));

    app.get('/demo-app', { schema: { hide: true } }, async (request, reply) => {
      const lang = pageLang(request);
      const t = TEXT[lang];
      const session = signed.get(readCookie(request, COOKIE) ?? '');
      const check = (request.query as { check?: string }).check;
      const checked = check === 'ok' ? html`<div class="notice" role="status" id="demo-check">${t.connected}</div>` : check === 'revoked' ? html`<div class="alert" role="alert" id="demo-check">${t.revoked}</div>` : '';
      const body = session
        ? html`<h1>${t.title}</h1>${checked}<div class="notice" role="status">${t.signedIn}</div>
<div class="table-wrap" tabindex="0" role="region" aria-label="${t.signedIn}"><table><thead><tr><th scope="col">${t.claim}</th><th scope="col">${t.value}</th></tr></thead><tbody>
${Object.entries(session.claims).filter(([k]) => !['iss', 'aud', 'exp', 'iat', 'nonce', 'auth_time', 'at_hash', 'sid', 'azp'].includes(k)).map(([k, v]) => html`<tr><td><code>${k}</code></td><td id="claim-${k}">${typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>`)}
</tbody></table></div>
<div class="actions"><form method="post" action="/demo-app/check"><button type="submit" id="demo-check-button">${t.check}</button></form>
<form method="post" action="/demo-app/signout"><button type="submit" class="secondary">${t.signout}</button></form></div>`
        : html`<h1>${t.title}</h1>${checked}<p class="lead">${t.lead}</p><p><a class="button" id="demo-signin" href="/demo-app/login">${t.signin}</a></p>`;
      return sendPage(reply, demoPage(lang, t.title, body));
    });

    app.get('/demo-app/login', { schema: { hide: true }, config: limited('sign_in_start') }, async (request, reply) => {
      const cfg = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, state, nonce });
      const lang = pageLang(request);
      const url = oidc.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid offline_access',
        prompt: 'consent',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        claims: JSON.stringify({ id_token: { age_over_18: null, name: null } }),
        ui_locales: lang,
      });
      return reply.redirect(url.href, 303);
    });

    app.get('/demo-app/callback', { schema: { hide: true } }, async (request, reply) => {
      const cfg = await configuration();
      const query = request.query as { state?: string };
      const flow = pending.get(query.state ?? '');
      if (!flow) return reply.redirect('/demo-app', 303);
      pending.delete(flow.state);
      const current = new URL(request.url, issuer);
      const tokens = await oidc.authorizationCodeGrant(cfg, current, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce });
      const id = randomBytes(18).toString('base64url');
      signed.set(id, { claims: { ...(tokens.claims() ?? {}) }, refreshToken: tokens.refresh_token ?? null });
      reply.header('set-cookie', `${COOKIE}=${id}; Path=/demo-app; HttpOnly; SameSite=Lax`);
      return reply.redirect('/demo-app', 303);
    });

    /** A refresh grant, as any app does to keep a session: refused once the person disconnected the app. */
    app.post('/demo-app/check', { schema: { hide: true } }, async (request, reply) => {
      const id = readCookie(request, COOKIE) ?? '';
      const session = signed.get(id);
      if (!session?.refreshToken) return reply.redirect('/demo-app', 303);
      try {
        const refreshed = await oidc.refreshTokenGrant(await configuration(), session.refreshToken);
        session.refreshToken = refreshed.refresh_token ?? session.refreshToken;
        return reply.redirect('/demo-app?check=ok', 303);
      } catch (error) {
        if (!(error instanceof oidc.ResponseBodyError) || error.error !== 'invalid_grant') throw error;
        signed.delete(id);
        reply.header('set-cookie', `${COOKIE}=; Path=/demo-app; Max-Age=0`);
        return reply.redirect('/demo-app?check=revoked', 303);
      }
    });

    app.post('/demo-app/signout', { schema: { hide: true } }, async (request, reply) => {
      signed.delete(readCookie(request, COOKIE) ?? '');
      reply.header('set-cookie', `${COOKIE}=; Path=/demo-app; Max-Age=0`);
      return reply.redirect('/demo-app', 303);
    });
  };
}
