/**
 * The netid app's pages, as plain functions from data to HTML (escaped by `html`). Client
 * scripts under /static/client/ add the interactive parts (camera, passkeys, QR refresh); every
 * page works as a document first.
 */
import { DOCUMENT_TYPES } from '../domain/documents/types.ts';
import { claimLabel } from '../domain/identity/index.ts';
import { html, raw, type Html } from './html.ts';
import { PERSON_NAV, renderPage } from './layout.ts';
import { format, messages, type MessageId, type PageLang } from './messages/index.ts';

export interface PageContext {
  readonly lang: PageLang;
  readonly path: string;
}

const fmtDate = (lang: PageLang, date: Date): string =>
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(date);

const fmtDay = (lang: PageLang, date: Date): string =>
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }).format(date);

/** Claims a person's data went out as, named by their labels (src/domain/identity), not their codes. */
const claimList = (lang: PageLang, claims: readonly string[]): string => claims.map((c) => claimLabel(c, lang)).join(lang === 'en' ? ', ' : '、');

/** A colon in the page's language: full-width in Chinese text. */
const colon = (lang: PageLang): string => (lang === 'en' ? ': ' : '：');

function signOutForm(lang: PageLang): Html {
  return html`<form method="post" action="/signout"><button type="submit" class="link lang-switch">${messages(lang)['nav.signout']}</button></form>`;
}

function personPage(ctx: PageContext, title: string, body: Html, scripts: string[] = []): string {
  return renderPage({ title, lang: ctx.lang, body, scripts, nav: PERSON_NAV, path: ctx.path, headerExtra: signOutForm(ctx.lang) });
}

export function landingPage(ctx: PageContext): string {
  const t = messages(ctx.lang);
  return renderPage({
    title: t['app.name'],
    lang: ctx.lang,
    path: ctx.path,
    body: html`<h1>${t['app.name']}</h1><p class="lead">${t['app.tagline']}</p>
<div class="actions"><a class="button" href="/enrol">${t['nav.enrol']}</a><a class="button secondary" href="/signin">${t['nav.signin']}</a></div>`,
  });
}

export function signInPage(ctx: PageContext, next: string): string {
  const t = messages(ctx.lang);
  return renderPage({
    title: t['signin.title'],
    lang: ctx.lang,
    path: ctx.path,
    scripts: ['/static/client/signin.js'],
    body: html`<h1>${t['signin.title']}</h1>
<p class="lead">${t['signin.lead']}</p>
<div id="problem" class="alert" role="alert" hidden tabindex="-1"></div>
<div class="card">
<button type="button" id="signin" data-next="${next}" data-failed="${t['signin.failed']}" data-unsupported="${t['signin.unsupported']}">${t['signin.passkey']}</button>
</div>
<p>${t['signin.noaccount']} <a href="/enrol">${t['signin.enrol']}</a></p>`,
  });
}

const STEPS: readonly { id: string; label: MessageId }[] = [
  { id: 'document', label: 'enrol.step.document' },
  { id: 'selfie', label: 'enrol.step.selfie' },
  { id: 'passkey', label: 'enrol.step.passkey' },
  { id: 'done', label: 'enrol.step.done' },
];

/**
 * The enrolment wizard. Its steps run in the page's script; without scripts the document form
 * still posts (never GET: document number, name and birth date must not land in the URL, the
 * history or a log) to POST /enrol, which answers this page with `noScript` and keeps nothing.
 */
export function enrolPage(ctx: PageContext, options: { guardianSignedIn: boolean; noScript?: boolean; sampleSelfie?: boolean }): string {
  const t = messages(ctx.lang);
  const field = (id: string, label: MessageId, input: Html, hint?: MessageId) => html`<div class="field">
<label for="${id}">${t[label]}</label>${hint ? html`<span class="hint" id="${id}-hint">${t[hint]}</span>` : ''}
${input}
<p class="error-text" id="${id}-error" hidden></p>
</div>`;
  const described = (id: string, hint: boolean) => raw(`aria-describedby="${hint ? `${id}-hint ` : ''}${id}-error"`);
  // Hints per failure code family: what to do next, in the person's language.
  const hints = {
    document: t['enrol.hint.document'],
    details: t['enrol.hint.details'],
    face: t['enrol.hint.face'],
    mismatch: t['enrol.hint.mismatch'],
    turn: t['enrol.hint.turn'],
    alone: t['enrol.hint.alone'],
    wrongMovement: t['enrol.problem.wrong_movement'],
    attemptsLeft: t['enrol.attempts_left'],
    expired: t['enrol.hint.expired'],
    generic: t['enrol.hint.generic'],
    network: t['common.error.network'],
    camera: t['enrol.selfie.denied'],
    passkey: t['enrol.passkey.failed'],
    checking: t['enrol.selfie.checking'],
    loading: t['common.loading'],
  };
  const prompts = {
    turn_left: t['enrol.selfie.prompt.turn_left'],
    turn_right: t['enrol.selfie.prompt.turn_right'],
    look_straight: t['enrol.selfie.prompt.look_straight'],
    blink: t['enrol.selfie.prompt.blink'],
    nod: t['enrol.selfie.prompt.nod'],
  };
  const body = html`<h1 id="enrol-title">${t['enrol.title']}</h1>
<p class="lead">${t['enrol.lead']}</p>
${options.noScript ? html`<div class="alert" role="alert" id="enrol-noscript">${t['enrol.noscript']}</div>` : html`<noscript><div class="alert" role="alert">${t['enrol.noscript']}</div></noscript>`}
<ol class="steps" aria-label="${t['enrol.steps.label']}">
${STEPS.map((s, i) => html`<li data-step="${s.id}"${i === 0 ? raw(' aria-current="step"') : ''}>${i + 1}. ${t[s.label]}</li>`)}
</ol>
<div id="problem" class="alert" role="alert" hidden tabindex="-1"><p id="problem-message"></p><p><strong>${t['enrol.error.hint']}</strong> <span id="problem-hint"></span></p><p><button type="button" class="secondary" id="restart" hidden>${t['enrol.restart']}</button></p></div>
<div id="enrol" data-hints="${JSON.stringify(hints)}" data-prompts="${JSON.stringify(prompts)}">

<section id="step-document" aria-labelledby="h-document">
<h2 id="h-document">${t['enrol.step.document']}</h2>
<form id="document-form" method="post" action="/enrol" novalidate>
<fieldset>
<legend>${t['enrol.doctype.legend']}</legend>
${DOCUMENT_TYPES.map((type, i) => html`<div class="choice"><input type="radio" name="document_type" id="doc-${type}" value="${type}"${i === 0 ? raw(' checked') : ''}><label for="doc-${type}">${t[`enrol.doc.${type}` as MessageId]}</label></div>`)}
</fieldset>
${field('document_number', 'enrol.field.number', html`<input type="text" id="document_number" name="document_number" autocomplete="off" autocapitalize="characters" spellcheck="false" required aria-required="true" ${described('document_number', true)}>`, 'enrol.field.number.hint')}
${field('name', 'enrol.field.name', html`<input type="text" id="name" name="name" autocomplete="name" required aria-required="true" ${described('name', true)}>`, 'enrol.field.name.hint')}
${field('birth_date', 'enrol.field.birth', html`<input type="date" id="birth_date" name="birth_date" autocomplete="bday" required aria-required="true" ${described('birth_date', false)}>`)}
${field('expiry_date', 'enrol.field.expiry', html`<input type="date" id="expiry_date" name="expiry_date" ${described('expiry_date', false)}>`)}
<div id="mrz-field" hidden>
${field('mrz', 'enrol.field.mrz', html`<textarea id="mrz" name="mrz" rows="2" spellcheck="false" autocapitalize="characters" ${described('mrz', true)}></textarea>`, 'enrol.field.mrz.hint')}
</div>
<fieldset>
<legend>${t['enrol.guardian.legend']}</legend>
<div class="choice"><input type="checkbox" id="guardian" name="guardian" value="yes" aria-describedby="guardian-hint"${options.guardianSignedIn ? '' : raw(' disabled')}><label for="guardian">${t['enrol.guardian.check']}</label></div>
<span class="hint" id="guardian-hint">${t['enrol.guardian.hint']}</span>
</fieldset>
<button type="submit">${t['enrol.document.submit']}</button>
</form>
</section>

<section id="step-selfie" aria-labelledby="h-selfie" hidden>
<h2 id="h-selfie" tabindex="-1">${t['enrol.selfie.title']}</h2>
<p>${t['enrol.selfie.lead']}</p>
<div class="video-frame"><video id="camera" playsinline muted aria-label="${t['enrol.selfie.video']}"></video></div>
<p class="prompt" id="prompt" aria-live="assertive"></p>
<div class="actions"><button type="button" id="camera-start">${t['enrol.selfie.start']}</button><button type="button" id="capture" hidden>${t['enrol.selfie.capture']}</button></div>
${options.sampleSelfie ? html`<div id="demo-selfie"><p class="hint" id="demo-selfie-hint">${t['enrol.selfie.demo.lead']}</p><button type="button" class="secondary" id="demo-selfie-use" aria-describedby="demo-selfie-hint">${t['enrol.selfie.demo.use']}</button></div>` : ''}
</section>

<section id="step-guardian" aria-labelledby="h-guardian" hidden>
<h2 id="h-guardian" tabindex="-1">${t['enrol.guardian.legend']}</h2>
<p>${t['enrol.guardian.check']}</p>
<button type="button" id="guardian-approve">${t['signin.passkey']}</button>
</section>

<section id="step-passkey" aria-labelledby="h-passkey" hidden>
<h2 id="h-passkey" tabindex="-1">${t['enrol.passkey.title']}</h2>
<p>${t['enrol.passkey.lead']}</p>
<button type="button" id="passkey-create">${t['enrol.passkey.create']}</button>
</section>

<section id="step-done" aria-labelledby="h-done" hidden>
<h2 id="h-done" tabindex="-1">${t['enrol.done.title']}</h2>
<p>${t['enrol.done.lead']}</p>
<p>${t['enrol.done.webnumber']}</p>
<p class="webnumber" id="web-number"></p>
<a class="button" href="/">${t['enrol.done.home']}</a>
</section>
</div>`;
  return renderPage({ title: t['enrol.title'], lang: ctx.lang, path: ctx.path, body, scripts: ['/static/client/enrol.js'] });
}

export interface HomeData {
  readonly webNumber: string | null;
  readonly devices: readonly { id: string; label: string | null; createdAt: Date; lastUsedAt: Date | null }[];
  /** Web certificate state, when the credential service is available. */
  readonly certificate: { state: 'active' | 'none' | 'revoked'; expiresAt?: Date } | null;
  /** When the account was recovered, until the person dismisses the notice (src/recovery). */
  readonly recoveredAt?: Date | null;
}

export function homePage(ctx: PageContext, data: HomeData): string {
  const t = messages(ctx.lang);
  const cert = data.certificate;
  const certState = cert?.state ?? 'none';
  const certClass = certState === 'active' ? 'ok' : certState === 'revoked' ? 'bad' : 'none';
  const only = data.devices.length <= 1;
  const body = html`<h1>${t['home.title']}</h1>
${data.recoveredAt ? html`<section class="alert" role="status" id="recovery-notice"><p>${format(t['home.recovered'], { date: fmtDate(ctx.lang, data.recoveredAt) })}</p>
<form method="post" action="/recovery-notice/dismiss" class="actions"><button type="submit" class="secondary">${t['home.recovered.yes']}</button> <a href="/activity">${t['home.recovered.no']}</a></form></section>` : ''}
<div class="grid two">
<section class="card" aria-labelledby="h-wn"><h2 id="h-wn">${t['home.webnumber']}</h2><p class="webnumber" id="web-number">${data.webNumber ?? '—'}</p></section>
<section class="card" aria-labelledby="h-cert"><h2 id="h-cert">${t['home.certificate']}</h2>
<p><span class="state ${certClass}" id="cert-state">${t[certState === 'active' ? 'home.certificate.active' : certState === 'revoked' ? 'home.certificate.revoked' : 'home.certificate.none']}</span>
${cert?.expiresAt ? html` <span class="meta">${format(t['home.certificate.expires'], { date: fmtDate(ctx.lang, cert.expiresAt) })}</span>` : ''}</p>
<div id="wallet" data-web-number="${data.webNumber ?? ''}" data-server-state="${certState}" data-refresh="${t['home.qr.refresh']}" data-working="${t['home.wallet.working']}" data-done="${t['home.wallet.done']}" data-failed="${t['home.wallet.failed']}" data-paused="${t['home.wallet.paused']}" data-active-label="${t['home.certificate.active']}">
<div id="wallet-problem" class="alert" role="alert" hidden tabindex="-1"></div>
<p id="wallet-none">${t['home.wallet.none']}</p>
<p id="wallet-unsupported" class="alert" hidden>${t['home.wallet.unsupported']}</p>
<button type="button" id="wallet-get" hidden>${t['home.wallet.get']}</button>
<p class="meta" id="wallet-status" role="status"></p>
<div id="qr-area" hidden>
<h3>${t['home.qr.title']}</h3><p class="meta">${t['home.qr.lead']}</p>
<div class="qr" id="qr" role="img" aria-label="${t['home.qr.alt']}"></div>
<p class="meta" id="qr-countdown" aria-live="off"></p>
<button type="button" class="secondary" id="qr-resume" hidden>${t['home.wallet.resume']}</button>
</div>
</div>
</section>
</div>
<section class="card" aria-labelledby="h-devices"><h2 id="h-devices">${t['home.devices']}</h2>
<p class="meta">${t['home.devices.lead']}</p>
<div id="devices-problem" class="alert" role="alert" hidden tabindex="-1"></div>
<ul class="list" id="devices">
${data.devices.map((d) => {
    // A passkey without a name is told apart by when it was added, not by a number.
    const name = d.label ?? format(t['home.devices.unnamed'], { date: fmtDay(ctx.lang, d.createdAt) });
    return html`<li><div><strong id="dev-${d.id}">${name}</strong><br><span class="meta">${format(t['home.devices.added'], { date: fmtDate(ctx.lang, d.createdAt) })}${d.lastUsedAt ? html` · ${format(t['home.devices.lastused'], { date: fmtDate(ctx.lang, d.lastUsedAt) })}` : ''}</span></div>
${only ? html`<span class="meta">${t['home.devices.last']}</span>` : html`<button type="button" class="secondary" data-remove="${d.id}" aria-describedby="dev-${d.id}">${t['home.devices.remove']}</button>`}</li>`;
  })}
</ul>
<div class="actions"><button type="button" id="add-device" data-failed="${t['enrol.passkey.failed']}">${t['home.devices.add']}</button></div>
</section>`;
  return personPage(ctx, t['home.title'], body, ['/static/client/home.js', '/static/client/wallet.js']);
}

export interface ActivityView {
  readonly id: string;
  readonly occurredAt: Date;
  readonly type: string;
  readonly app: string | null;
  readonly claims: readonly string[];
  /** The legal basis of what was released: per claim (as the consent screen showed it), or as a whole. */
  readonly legalBasis: readonly { readonly claim: string | null; readonly basis: string }[];
  /** Why it happened, when the record says (a revocation's or block's reason). */
  readonly reason: string | null;
  /** An operator's written answer to the person (an appeal's outcome). */
  readonly answer: string | null;
}

export function activityTypeLabel(lang: PageLang, type: string): string {
  const t = messages(lang);
  const known: Record<string, MessageId> = {
    'signin.netid_app': 'activity.type.sign_in',
    'signin.oidc': 'activity.type.sign_in',
    'oidc.sign_in': 'activity.type.sign_in',
    'enrolment.issued': 'activity.type.enrolled',
    'enrolment.completed': 'activity.type.enrolled',
    'device.added': 'activity.type.device_added',
    'device.removed': 'activity.type.device_removed',
    report_not_me: 'activity.type.report_not_me',
    report_over_asking: 'activity.type.report_over_asking',
    'app.disconnected': 'activity.type.app_disconnected',
    'app_access.blocked': 'activity.type.app_blocked',
    'app_access.unblocked': 'activity.type.app_unblocked',
    'revocation.appeal_lodged': 'activity.type.appeal_lodged',
    'revocation.appeal_upheld': 'activity.type.appeal_upheld',
    'revocation.appeal_dismissed': 'activity.type.appeal_dismissed',
    web_certificate_issued: 'activity.type.certificate_issued',
    credential_revoked: 'activity.type.certificate_revoked',
    'account.deactivated': 'activity.type.deactivated',
    'account.recovered': 'activity.type.recovered',
    'device.reported_lost': 'activity.type.device_lost',
    'guardian.approved_recovery': 'activity.type.guardian_approved_recovery',
  };
  const id = known[type] ?? (type.startsWith('authority.') ? 'activity.type.authority' : type.includes('disclos') ? 'activity.type.disclosure' : type.includes('consent') ? 'activity.type.consent' : type.includes('revoc') ? 'activity.type.revocation' : type.includes('signin') || type.includes('sign_in') ? 'activity.type.sign_in' : undefined);
  return id ? t[id] : type;
}

export function activityPage(ctx: PageContext, entries: readonly ActivityView[], notice: string | null): string {
  const t = messages(ctx.lang);
  const body = html`<h1>${t['activity.title']}</h1>
<p class="lead">${t['activity.lead']}</p>
${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
<p><a class="button secondary" href="/activity/export.json" download="netid-activity.json">${t['activity.export']}</a></p>
${entries.length === 0 ? html`<p>${t['activity.empty']}</p>` : ''}
<ol class="list" aria-label="${t['activity.title']}">
${entries.map((e) => {
    const when = fmtDate(ctx.lang, e.occurredAt);
    return html`<li class="entry" data-type="${e.type}"><div>
<h2 class="h3" id="a-${e.id}">${activityTypeLabel(ctx.lang, e.type)}</h2>
<dl>
<dt>${t['activity.when']}</dt><dd><time id="w-${e.id}" datetime="${e.occurredAt.toISOString()}">${when}</time></dd>
${e.app ? html`<dt>${t['activity.app']}</dt><dd>${e.app}</dd>` : ''}
${e.claims.length ? html`<dt>${t['activity.claims']}</dt><dd>${claimList(ctx.lang, e.claims)}</dd>` : ''}
${e.legalBasis.length ? html`<dt>${t['activity.basis']}</dt><dd><ul class="bases">${e.legalBasis.map((b) => html`<li>${b.claim ? html`<span class="claim">${claimLabel(b.claim, ctx.lang)}</span>${colon(ctx.lang)}` : ''}${b.basis || t['activity.basis.none']}</li>`)}</ul></dd>` : ''}
${e.reason ? html`<dt>${t['activity.reason']}</dt><dd>${e.reason}</dd>` : ''}
${e.answer ? html`<dt>${t['activity.answer']}</dt><dd class="answer">${e.answer}</dd>` : ''}
</dl>
${e.type.startsWith('report_') ? '' : html`<form method="post" action="/activity/report" class="actions">
<input type="hidden" name="activity_id" value="${e.id}">
<button type="submit" name="kind" value="not_me" class="secondary" aria-describedby="a-${e.id} w-${e.id}">${t['activity.notme']}</button>
${e.app ? html`<button type="submit" name="kind" value="over_asking" class="secondary" aria-describedby="a-${e.id} w-${e.id}">${t['activity.overask']}</button>` : ''}
</form>`}
</div></li>`;
  })}
</ol>`;
  return personPage(ctx, t['activity.title'], body);
}

export interface ConnectedApp {
  readonly clientId: string;
  readonly name: string;
  readonly firstAt: Date;
  readonly claims: readonly string[];
}

export function appsPage(ctx: PageContext, apps: readonly ConnectedApp[], options: { notice: string | null }): string {
  const t = messages(ctx.lang);
  const body = html`<h1>${t['apps.title']}</h1>
<p class="lead">${t['apps.lead']}</p>
${options.notice ? html`<div class="notice" role="status">${options.notice}</div>` : ''}
${apps.length === 0 ? html`<p>${t['apps.empty']}</p>` : ''}
<ul class="list">
${apps.map((a, i) => html`<li class="entry"><div><h2 class="h3" id="app-${i}">${a.name}</h2>
<p class="meta">${format(t['apps.since'], { date: fmtDate(ctx.lang, a.firstAt) })}</p>
<p>${t['apps.received']} ${a.claims.length ? claimList(ctx.lang, a.claims) : '—'}</p>
<form method="post" action="/apps/disconnect"><input type="hidden" name="client_id" value="${a.clientId}">
<button type="submit" class="danger" aria-describedby="app-${i}">${t['apps.disconnect']}</button></form>
</div></li>`)}
</ul>`;
  return personPage(ctx, t['apps.title'], body);
}

export function settingsPage(ctx: PageContext, options: { notice: string | null; error: string | null }): string {
  const t = messages(ctx.lang);
  const body = html`<h1>${t['settings.title']}</h1>
${options.notice ? html`<div class="notice" role="status">${options.notice}</div>` : ''}
<section class="card" aria-labelledby="h-lang"><h2 id="h-lang">${t['settings.language']}</h2>
<form method="post" action="/settings/language">
<fieldset><legend>${t['settings.language.legend']}</legend>
<div class="choice"><input type="radio" id="lang-zh" name="lang" value="zh-CN"${ctx.lang === 'zh-CN' ? raw(' checked') : ''}><label for="lang-zh" lang="zh-CN">简体中文</label></div>
<div class="choice"><input type="radio" id="lang-en" name="lang" value="en"${ctx.lang === 'en' ? raw(' checked') : ''}><label for="lang-en" lang="en">English</label></div>
</fieldset>
<button type="submit">${t['settings.language.save']}</button>
</form></section>
<section class="card" aria-labelledby="h-deactivate"><h2 id="h-deactivate">${t['settings.deactivate']}</h2>
<p>${t['settings.deactivate.lead']}</p>
<form method="post" action="/settings/deactivate" novalidate>
<div class="field"><label for="confirm">${t['settings.deactivate.confirm.label']}</label>
<input type="text" id="confirm" name="confirm" autocomplete="off" spellcheck="false" required aria-required="true" aria-describedby="confirm-error"${options.error ? raw(' aria-invalid="true"') : ''}>
<p class="error-text" id="confirm-error"${options.error ? '' : raw(' hidden')}>${options.error ?? ''}</p></div>
<button type="submit" class="danger">${t['settings.deactivate.button']}</button>
</form></section>`;
  return personPage(ctx, t['settings.title'], body);
}

export function deactivatedPage(ctx: PageContext): string {
  const t = messages(ctx.lang);
  return renderPage({ title: t['settings.deactivate'], lang: ctx.lang, path: '/', body: html`<h1>${t['settings.deactivate']}</h1><div class="notice" role="status">${t['settings.deactivated']}</div><p><a href="/">${t['nav.home']}</a></p>` });
}
