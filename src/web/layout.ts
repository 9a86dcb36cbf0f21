/**
 * The one page layout of netid's web surfaces (the netid app, the OIDC sign-in and consent pages,
 * the operator console): landmarks, skip link, language switch, one stylesheet, scripts only from
 * /static (CSP `script-src 'self'`; no inline scripts or styles).
 *
 * Other modules render a page with:
 *   renderPage({ title, lang, body, scripts })       → a complete HTML document (string)
 *   messages(lang)['consent.approve']                 → a text in the page's language
 *   pageLang(request)                                 → 'zh-CN' or 'en' (the language cookie, Accept-Language, zh-CN)
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, raw, type Html } from './html.ts';
import { messages, translator, type MessageId, type PageLang } from './messages/index.ts';
import { LANG_COOKIE, requestLocale } from '../http/error-mapper.ts';

export { html, raw, escapeHtml, Html } from './html.ts';
export { messages, format, translator, type MessageId, type PageLang } from './messages/index.ts';

export { LANG_COOKIE };

export interface NavItem {
  readonly href: string;
  readonly label: MessageId;
}

export const PERSON_NAV: readonly NavItem[] = [
  { href: '/', label: 'nav.home' },
  { href: '/activity', label: 'nav.activity' },
  { href: '/apps', label: 'nav.apps' },
  { href: '/settings', label: 'nav.settings' },
];

export interface PageOptions {
  /** Page title (plain text; escaped). The app name is appended. */
  readonly title: string;
  readonly lang: PageLang;
  /** Page content inside <main>. A string is taken as markup the caller already escaped. */
  readonly body: Html | string;
  /** Script paths under /static (e.g. '/static/client/enrol.js'); loaded as modules, deferred. */
  readonly scripts?: readonly string[];
  /** Navigation links in the header; none by default (sign-in, consent and error pages). */
  readonly nav?: readonly NavItem[];
  /** The path of the current page, to mark the current nav item and return after a language switch. */
  readonly path?: string;
  /** Header title override (e.g. the console's name). */
  readonly brand?: MessageId;
  /** Extra header content (e.g. a sign-out form). */
  readonly headerExtra?: Html;
}

/** The WebAuthn failures a browser names (DOMException names) that have their own message. */
const PASSKEY_ERRORS = ['NotAllowedError', 'AbortError', 'InvalidStateError', 'SecurityError', 'NotSupportedError', 'ConstraintError', 'NotReadableError', 'other'] as const;

/**
 * A passkey failure in the page's language, by the browser's DOMException name: the page scripts
 * show these, never the browser's own (English, technical) text. Carried on <body> of every page
 * with scripts as `data-passkey-errors` (CSP allows no inline script).
 */
export function passkeyErrorMessages(lang: PageLang): Record<string, string> {
  const t = messages(lang);
  return Object.fromEntries(PASSKEY_ERRORS.map((name) => [name, t[`passkey.error.${name}`]]));
}

export function renderPage(options: PageOptions): string {
  const t = translator(options.lang);
  const other: PageLang = options.lang === 'en' ? 'zh-CN' : 'en';
  const back = options.path ?? '/';
  const switchHref = `/lang?to=${other}&back=${encodeURIComponent(back)}`;
  const body = typeof options.body === 'string' ? raw(options.body) : options.body;
  const nav = options.nav && options.nav.length > 0
    ? html`<nav class="nav" aria-label="${t('nav.label')}"><ul>${options.nav.map((item) => html`<li><a href="${item.href}"${item.href === currentNav(options.path, options.nav!) ? raw(' aria-current="page"') : ''}>${t(item.label)}</a></li>`)}</ul></nav>`
    : '';
  const scripts = (options.scripts ?? []).map((src) => html`<script type="module" src="${src}"></script>`);
  return '<!doctype html>\n' + html`<html lang="${options.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ${t(options.brand ?? 'app.name')}</title>
<link rel="stylesheet" href="/static/netid.css">
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
${scripts}
</head>
<body${options.scripts?.length ? html` data-passkey-errors="${JSON.stringify(passkeyErrorMessages(options.lang))}"` : ''}>
<a class="skip" href="#main">${t('skip.main')}</a>
<header class="site-header">
<div class="bar">
<a class="brand" href="/">${t(options.brand ?? 'app.name')}</a>
<a class="lang-switch" href="${switchHref}" lang="${other}" hreflang="${other}">${t('lang.switch')}</a>
${options.headerExtra ?? ''}
</div>
${nav}
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site-footer"><p>${t('footer.text')}</p></footer>
</body>
</html>`.value;
}

function currentNav(path: string | undefined, nav: readonly NavItem[]): string | undefined {
  if (!path) return undefined;
  const clean = path.split('?')[0]!;
  return nav.find((item) => item.href === clean)?.href ?? nav.filter((item) => item.href !== '/' && clean.startsWith(item.href))[0]?.href;
}

/** The language of a page: the one rule of every surface (requestLocale: choice cookie, Accept-Language, zh-CN). */
export function pageLang(request: FastifyRequest): PageLang {
  return requestLocale(request);
}

/** Remembers the person's language choice for a year (the language switch and the settings page). */
export function setPageLang(reply: FastifyReply, lang: PageLang): void {
  reply.header('set-cookie', `${LANG_COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
}

/** Sends a rendered page as HTML. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(page);
}

/** A simple error page in the person's language (title, message and what to do next). */
export function renderErrorPage(lang: PageLang, message: string, next?: string): string {
  const t = messages(lang);
  return renderPage({
    title: t['common.error.title'],
    lang,
    body: html`<h1>${t['common.error.title']}</h1><div class="alert" role="alert"><p>${message}</p>${next ? html`<p>${next}</p>` : ''}</div><p><a class="button" href="/">${t['nav.home']}</a></p>`,
  });
}
