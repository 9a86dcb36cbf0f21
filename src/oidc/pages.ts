/**
 * Server-rendered interaction pages: minimal, accessible HTML (lang attribute, headings, labels),
 * in the language of the one rule (the person's choice, Accept-Language, zh-CN). The only script is
 * /oidc/static/interaction.js from this origin (CSP `script-src 'self'`; no inline scripts).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { claimLabel } from '../domain/identity/index.ts';
import { renderSVG } from 'uqr';
import { renderPage } from '../web/layout.ts';
import { LANG_COOKIE, preferredLocale } from '../http/error-mapper.ts';

export type PageLocale = 'zh-CN' | 'en';

/**
 * The language of a page oidc-provider renders itself (errors, logout): the one rule of every
 * surface (src/http/error-mapper.ts preferredLocale: the language cookie, Accept-Language, zh-CN).
 */
export function providerPageLocale(ctx: KoaContextWithOIDC): PageLocale {
  return preferredLocale(ctx.cookies.get(LANG_COOKIE), ctx.get('accept-language'));
}

/** A colon in the page's language: full-width in Chinese text. */
const colon = (locale: PageLocale): string => (locale === 'en' ? ': ' : '：');

export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const T = {
  title: { 'zh-CN': 'netid 登录', en: 'Sign in with netid' },
  signInTo: { 'zh-CN': '登录到', en: 'Sign in to' },
  passkeyButton: { 'zh-CN': '使用通行密钥登录', en: 'Sign in with your passkey' },
  passkeyHelp: { 'zh-CN': '使用您注册 netid 时绑定的设备。', en: 'Use the device you registered with netid.' },
  levelHigh: { 'zh-CN': '此应用要求高等级认证：登录后还需进行实时人脸比对。', en: 'This app needs the high assurance level: after your passkey, a live face check follows.' },
  faceTitle: { 'zh-CN': '实时人脸比对', en: 'Live face check' },
  faceLabel: { 'zh-CN': '拍摄一张自拍照', en: 'Take a selfie' },
  faceSubmit: { 'zh-CN': '提交比对', en: 'Check my face' },
  cancel: { 'zh-CN': '取消登录', en: 'Cancel sign-in' },
  consentTitle: { 'zh-CN': '同意提供身份信息', en: 'Consent to share identity information' },
  consentIntro: { 'zh-CN': '该应用依据以下法律依据请求您的明文身份信息。只有您同意后才会提供。', en: 'This app asks for plaintext identity information on the legal basis shown. It is shared only if you agree.' },
  basis: { 'zh-CN': '法律依据', en: 'Legal basis' },
  remember: { 'zh-CN': '记住我的选择，下次不再询问', en: 'Remember my choice; do not ask again for this app' },
  agree: { 'zh-CN': '同意并继续', en: 'Agree and continue' },
  decline: { 'zh-CN': '不同意', en: 'Decline' },
  errorTitle: { 'zh-CN': '无法完成登录', en: 'Sign-in could not be completed' },
  suspended: { 'zh-CN': '该应用已被暂停使用 netid 登录。请联系该应用的运营者。', en: 'This app has been suspended from signing in with netid. Contact the app\'s operator.' },
  pending: { 'zh-CN': '该应用尚未获准使用 netid 登录。', en: 'This app has not yet been approved to sign in with netid.' },
  unknownApp: { 'zh-CN': '未知的应用。', en: 'Unknown app.' },
  logoutTitle: { 'zh-CN': '退出登录', en: 'Sign out' },
  logoutQuestion: { 'zh-CN': '是否退出 netid 登录？', en: 'Do you want to sign out of netid?' },
  logoutYes: { 'zh-CN': '退出', en: 'Yes, sign me out' },
  logoutNo: { 'zh-CN': '保持登录', en: 'No, stay signed in' },
  logoutDone: { 'zh-CN': '您已退出登录。', en: 'You have signed out.' },
  noscript: { 'zh-CN': '通行密钥登录需要启用 JavaScript。', en: 'Passkey sign-in needs JavaScript.' },
  or: { 'zh-CN': '或者', en: 'or' },
  scanHeading: { 'zh-CN': '用手机扫码登录', en: 'Sign in with your phone' },
  scanHelp: { 'zh-CN': '用手机上的 netid 应用扫描此二维码，并在手机上确认。此页面会自动继续。', en: 'Scan this code with the netid app on your phone and approve there. This page continues by itself.' },
  scanQr: { 'zh-CN': '扫码登录二维码', en: 'QR code to sign in with your phone' },
  scanLink: { 'zh-CN': '无法扫码？在手机上打开此链接', en: 'Cannot scan? Open this link on your phone' },
  scanWaiting: { 'zh-CN': '正在等待手机确认…', en: 'Waiting for your phone…' },
  scanRenew: { 'zh-CN': '二维码已过期。请刷新页面获取新的二维码。', en: 'The code has expired. Reload the page for a new one.' },
  scanTitle: { 'zh-CN': '确认登录', en: 'Approve sign-in' },
  scanAsks: { 'zh-CN': '请求您在另一个屏幕上使用 netid 登录。', en: 'asks you to sign in with netid on another screen.' },
  scanReceives: { 'zh-CN': '该应用将收到', en: 'The app will receive' },
  scanWarning: { 'zh-CN': '只有在您本人刚刚发起此次登录时才确认。如果不是您，请拒绝。', en: 'Approve only if you started this sign-in yourself, just now. If not, decline.' },
  scanApprove: { 'zh-CN': '确认登录', en: 'Approve' },
  scanDecline: { 'zh-CN': '拒绝', en: 'Decline' },
  scanApproved: { 'zh-CN': '已确认。请在另一个屏幕上继续。', en: 'Approved. Continue on the other screen.' },
  scanDeclined: { 'zh-CN': '已拒绝此次登录。', en: 'You declined this sign-in.' },
  scanExpired: { 'zh-CN': '此二维码已过期或已被使用。请在登录页面刷新以获取新的二维码。', en: 'This code has expired or was already used. Reload the sign-in page for a new one.' },
  scanFailed: { 'zh-CN': '无法验证通行密钥，请重试。', en: 'Your passkey could not be checked. Try again.' },
  scanHome: { 'zh-CN': '返回首页', en: 'Back to home' },
} as const;
type Key = keyof typeof T;
export const t = (key: Key, locale: PageLocale): string => T[key][locale];

export function page(locale: PageLocale, title: string, body: string): string {
  return renderPage({ title, lang: locale, body, scripts: ['/oidc/static/interaction.js'] });
}

export function loginPage(input: { locale: PageLocale; uid: string; appName: string; target: string; problem?: string; scanUrl?: string }): string {
  const { locale, uid } = input;
  // The QR code is inline SVG (no style attributes, so the page's CSP allows it); the link is the same URL for people who cannot scan.
  const scan = input.scanUrl
    ? `<section class="card scan" aria-labelledby="h-scan"><h2 id="h-scan" class="h3">${esc(t('or', locale))}${colon(locale)}${esc(t('scanHeading', locale))}</h2>
<p>${esc(t('scanHelp', locale))}</p>
<div class="qr" id="scan" role="img" aria-label="${esc(t('scanQr', locale))}" data-uid="${esc(uid)}" data-scan-url="${esc(input.scanUrl)}" data-renew="${esc(t('scanRenew', locale))}">${renderSVG(input.scanUrl, { border: 2 })}</div>
<p class="meta" id="scan-status" role="status">${esc(t('scanWaiting', locale))}</p>
<details><summary>${esc(t('scanLink', locale))}</summary><p><a href="${esc(input.scanUrl)}" id="scan-link">${esc(input.scanUrl)}</a></p></details>
</section>`
    : '';
  return page(locale, t('title', locale), `<h1>${esc(t('signInTo', locale))} ${esc(input.appName)}</h1>
<p>${esc(t('passkeyHelp', locale))}</p>
${input.target === 'high' ? `<p>${esc(t('levelHigh', locale))}</p>` : ''}
${input.problem ? `<p role="alert">${esc(input.problem)}</p>` : '<p role="alert" id="problem" hidden></p>'}
<noscript><p>${esc(t('noscript', locale))}</p></noscript>
<button type="button" id="passkey" data-uid="${esc(uid)}" data-lang="${locale}">${esc(t('passkeyButton', locale))}</button>
${scan}
<form method="post" action="/oidc/interaction/${esc(uid)}/abort" class="actions"><button type="submit" class="secondary">${esc(t('cancel', locale))}</button></form>`);
}

export function facePage(input: { locale: PageLocale; uid: string; problem?: string }): string {
  const { locale, uid } = input;
  return page(locale, t('faceTitle', locale), `<h1>${esc(t('faceTitle', locale))}</h1>
${input.problem ? `<p role="alert">${esc(input.problem)}</p>` : '<p role="alert" id="problem" hidden></p>'}
<form id="face" data-uid="${esc(uid)}" data-lang="${locale}">
<label for="selfie">${esc(t('faceLabel', locale))}</label>
<input id="selfie" name="selfie" type="file" accept="image/*" capture="user" required>
<button type="submit">${esc(t('faceSubmit', locale))}</button>
</form>
<form method="post" action="/oidc/interaction/${esc(uid)}/abort" class="actions"><button type="submit" class="secondary">${esc(t('cancel', locale))}</button></form>`);
}

export function consentPage(input: { locale: PageLocale; uid: string; appName: string; organisation: string; claims: { claim: string; legalBasis: string }[] }): string {
  const { locale, uid } = input;
  const rows = input.claims
    .map((c) => `<li><strong>${esc(claimLabel(c.claim, locale))}</strong> (<code>${esc(c.claim)}</code>)<br>${esc(t('basis', locale))}${colon(locale)}${esc(c.legalBasis)}</li>`)
    .join('\n');
  return page(locale, t('consentTitle', locale), `<h1>${esc(t('consentTitle', locale))}</h1>
<p>${esc(input.appName)} — ${esc(input.organisation)}</p>
<p>${esc(t('consentIntro', locale))}</p>
<ul>
${rows}
</ul>
<form method="post" action="/oidc/interaction/${esc(uid)}/consent">
<div class="choice"><input type="checkbox" id="remember" name="remember" value="yes"><label for="remember">${esc(t('remember', locale))}</label></div>
<div class="actions"><button type="submit" name="decision" value="agree">${esc(t('agree', locale))}</button>
<button type="submit" name="decision" value="decline" class="secondary">${esc(t('decline', locale))}</button></div>
</form>`);
}

/**
 * An error page names its stable code in `#error-code` (docs/integration.md): a netid code, or on
 * oidc-provider's own pages the OAuth/OpenID error code the protocol defines.
 */
export function errorPage(locale: PageLocale, message: string, code: string): string {
  return page(locale, t('errorTitle', locale), `<h1>${esc(t('errorTitle', locale))}</h1>
<p role="alert">${esc(message)}</p>
<p><code id="error-code">${esc(code)}</code></p>`);
}

/** A clear page for an app that may not sign people in, else the provider's error. */
export async function renderProviderError(ctx: KoaContextWithOIDC, out: Record<string, string>, registry: RelyingPartyRegistry): Promise<void> {
  const locale = providerPageLocale(ctx);
  let message = out.error_description ?? out.error ?? '';
  if (out.error === 'invalid_client') {
    const clientId = ctx.oidc?.params?.client_id ?? ctx.query?.client_id;
    const rp = typeof clientId === 'string' && !clientId.includes('\u0000') ? await registry.find(clientId) : null;
    message = rp?.state === 'suspended' ? t('suspended', locale) : rp?.state === 'pending' ? t('pending', locale) : t('unknownApp', locale);
  }
  ctx.type = 'html';
  ctx.body = errorPage(locale, message, out.error ?? 'server_error');
}

export async function renderLogoutPrompt(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const locale = providerPageLocale(ctx);
  ctx.type = 'html';
  ctx.body = page(locale, t('logoutTitle', locale), `<h1>${esc(t('logoutTitle', locale))}</h1>
<p>${esc(t('logoutQuestion', locale))}</p>
${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">${esc(t('logoutYes', locale))}</button>
<button type="submit" form="op.logoutForm">${esc(t('logoutNo', locale))}</button>`);
}

export async function renderLogoutDone(ctx: KoaContextWithOIDC): Promise<void> {
  const locale = providerPageLocale(ctx);
  ctx.type = 'html';
  ctx.body = page(locale, t('logoutTitle', locale), `<h1>${esc(t('logoutTitle', locale))}</h1><p>${esc(t('logoutDone', locale))}</p>`);
}
