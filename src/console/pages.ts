/**
 * The operator console's pages: plain functions from data to HTML, in the shared layout
 * (src/web/layout.ts). Action buttons appear only for the `operator` role; the routes refuse
 * the same actions to auditors, so hiding them is a convenience, not the control. The forms of
 * four-eyes acts carry `data-step-up` (stepUp below): the console's script gets the operator's
 * passkey assertion for that act and target before the form is posted.
 */
import { DOCUMENT_TYPES } from '../domain/documents/types.ts';
import { errorCatalogue } from '../domain/errors.ts';
import type { RelyingParty } from '../relying-parties/registry.ts';
import type { RegistryImport } from '../registry/embedded-registry.ts';
import { html, raw, renderPage, messages, type Html, type MessageId, type NavItem, type PageLang } from '../web/layout.ts';
import { consoleText, hasConsoleText, type ConsoleMessageId } from './messages.ts';
import type { StepUpAction } from './operator-passkeys.ts';
import type { Operator, RecordedAction } from './operator-repository.ts';

export const CONSOLE_NAV: readonly NavItem[] = [
  { href: '/console', label: 'console.nav.overview' },
  { href: '/console/apps', label: 'console.nav.apps' },
  { href: '/console/revocations', label: 'console.nav.revocation' },
  { href: '/console/authority', label: 'console.nav.authority' },
  { href: '/console/enrol-assisted', label: 'console.nav.assisted' },
  { href: '/console/appeals', label: 'console.nav.appeals' },
  { href: '/console/operators', label: 'console.nav.operators' },
  { href: '/console/audit', label: 'console.nav.audit' },
];

/** How many decided revocations one history page shows. */
export const REVOCATION_HISTORY_PAGE_SIZE = 50;

/** Reasons an operator may propose (the person's own request comes from the person). */
export const OPERATOR_REVOCATION_REASONS = ['device_lost', 'document_invalidated', 'death', 'fraud_decided'] as const;

export interface ConsoleContext {
  readonly lang: PageLang;
  /** The page's path and query (nav state, language switch). */
  readonly path: string;
  readonly operator: Operator;
  /** `?done=` or `?error=` after a form post. */
  readonly flash?: { readonly kind: 'done' | 'error'; readonly code: string } | null;
}

export const fmtTime = (lang: PageLang, date: Date): string =>
  new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(date);

/** The message of an error code in a language (from its defineErrors declaration). */
export function errorMessage(lang: PageLang, code: string): string {
  const spec = errorCatalogue().get(code);
  if (spec) return lang === 'en' ? spec.en : spec.zh;
  return consoleText(lang)('error.generic');
}

export function errorBox(lang: PageLang, code: string): Html {
  const ct = consoleText(lang);
  return html`<div class="alert" role="alert" id="problem" tabindex="-1"><p>${errorMessage(lang, code)}</p><p class="meta">${ct('error.code')}<code id="error-code">${code}</code></p></div>`;
}

function flashBox(ctx: ConsoleContext): Html | '' {
  if (!ctx.flash) return '';
  if (ctx.flash.kind === 'error') return errorBox(ctx.lang, ctx.flash.code);
  const id = `done.${ctx.flash.code}`;
  return hasConsoleText(id) ? html`<div class="notice" role="status" id="notice">${consoleText(ctx.lang)(id)}</div>` : '';
}

export const canAct = (operator: Operator) => operator.role === 'operator' && operator.status === 'active';

/**
 * The attributes of a form whose post is a four-eyes act: its step-up action and target — a
 * fixed id, or the form fields whose values (a JSON array) name the target, as the service
 * computes it (fieldsTarget).
 */
export function stepUp(action: StepUpAction, target: { readonly id: string } | { readonly fields: readonly string[] }): Html {
  return 'id' in target ? html` data-step-up="${action}" data-target="${target.id}"` : html` data-step-up="${action}" data-target-fields="${target.fields.join(' ')}"`;
}

/** A console page; with `stepUps`, the step-up script and the region where its problems are announced. */
export function consolePage(ctx: ConsoleContext, title: string, body: Html, options: { readonly stepUps?: boolean } = {}): string {
  const ct = consoleText(ctx.lang);
  const who = ct('whoami', { name: ctx.operator.name, role: ct(`role.${ctx.operator.role}`) });
  const headerExtra = html`<span id="whoami">${who}</span><form method="post" action="/console/signout"><button type="submit" class="link" id="signout">${ct('signout')}</button></form>`;
  const readOnly = canAct(ctx.operator) ? '' : html`<p class="notice" id="read-only">${ct('readonly.notice')}</p>`;
  const stepUps = options.stepUps && canAct(ctx.operator);
  const problem = stepUps ? html`<div id="step-up-problem" class="alert" role="alert" hidden tabindex="-1" data-failed="${ct('stepup.failed')}"></div>` : '';
  return renderPage({ title, lang: ctx.lang, path: ctx.path, nav: CONSOLE_NAV, brand: 'console.title', headerExtra, scripts: stepUps ? ['/console/static/step-up.js'] : [], body: html`${readOnly}${flashBox(ctx)}${problem}${body}` });
}

/** A page without a session (sign-in, enrolment link, errors). */
function publicPage(lang: PageLang, path: string, title: string, body: Html, scripts: string[] = []): string {
  return renderPage({ title, lang, path, brand: 'console.title', body, scripts });
}

export function signInPage(lang: PageLang, options: { enrolled: boolean; next: string }): string {
  const ct = consoleText(lang);
  return publicPage(lang, '/console/signin', ct('signin.title'), html`<h1>${ct('signin.title')}</h1>
${options.enrolled ? html`<div class="notice" role="status">${ct('signin.enrolled')}</div>` : ''}
<p class="lead">${ct('signin.lead')}</p>
<div id="problem" class="alert" role="alert" hidden tabindex="-1"></div>
<div class="card"><button type="button" id="signin" data-next="${options.next}" data-failed="${ct('signin.failed')}">${ct('signin.button')}</button></div>
<p class="meta">${ct('signin.first')} <code>netid operator create --name NAME --role operator</code></p>`, ['/console/static/passkey.js']);
}

export function enrolPage(lang: PageLang, token: string, operator: Operator): string {
  const ct = consoleText(lang);
  return publicPage(lang, `/console/enrol/${token}`, ct('enrol.title'), html`<h1>${ct('enrol.title')}</h1>
<p class="lead">${ct('enrol.lead', { name: operator.name, role: ct(`role.${operator.role}`), expires: operator.enrolmentExpiresAt ? fmtTime(lang, operator.enrolmentExpiresAt) : '—' })}</p>
<div id="problem" class="alert" role="alert" hidden tabindex="-1"></div>
<div class="card"><button type="button" id="enrol" data-token="${token}" data-failed="${ct('enrol.failed')}">${ct('enrol.button')}</button></div>`, ['/console/static/passkey.js']);
}

export function consoleErrorPage(lang: PageLang, code: string, back: string): string {
  const ct = consoleText(lang);
  const t = messages(lang);
  return publicPage(lang, back, t['common.error.title'], html`<h1>${t['common.error.title']}</h1>${errorBox(lang, code)}<p><a class="button secondary" href="${back}">${ct('error.back')}</a></p>`);
}

export interface OverviewData {
  readonly registry: { records: number; byType: Record<string, number>; byStatus: Record<string, number> } | null;
  /** The latest imports of the embedded registry, newest first. */
  readonly imports: readonly RegistryImport[];
  readonly pendingApps: number;
  readonly pendingRevocations: number;
  readonly openAppeals: number;
}

export function overviewPage(ctx: ConsoleContext, data: OverviewData): string {
  const ct = consoleText(ctx.lang);
  const t = messages(ctx.lang);
  const docLabel = (type: string) => (DOCUMENT_TYPES as readonly string[]).includes(type) ? t[`enrol.doc.${type}` as MessageId] : type;
  const registry = data.registry
    ? html`<dl class="entry">
<dt>${ct('overview.records')}</dt><dd id="registry-records">${data.registry.records}</dd>
<dt>${ct('overview.bytype')}</dt><dd><ul class="list">${Object.entries(data.registry.byType).map(([k, v]) => html`<li><span>${docLabel(k)}</span> <span data-type="${k}">${v}</span></li>`)}</ul></dd>
<dt>${ct('overview.bystatus')}</dt><dd>${Object.entries(data.registry.byStatus).map(([k, v]) => `${k}: ${v}`).join(' · ')}</dd>
</dl>
<h3>${ct('overview.imports')}</h3>
${data.imports.length ? html`<ul class="list" id="imports">${data.imports.map((i) => html`<li data-outcome="${i.outcome}"><div>
<strong>${i.source}</strong> · ${ct(`overview.channel.${i.channel}` as ConsoleMessageId)} · <time datetime="${i.finishedAt.toISOString()}">${fmtTime(ctx.lang, i.finishedAt)}</time><br>
${i.outcome === 'imported'
    ? html`<span class="state ok">${ct('overview.imported')}</span> ${ct('overview.import_counts', { inserted: i.inserted, updated: i.updated })}`
    : html`<span class="state bad">${ct('overview.refused')}</span> ${i.errorLine !== null ? ct('overview.refused_line', { line: i.errorLine }) : ''} <code>${i.errorCode ?? ''}</code>`}
</div></li>`)}</ul>` : html`<p>${ct('overview.no_imports')}</p>`}`
    : html`<p>${ct('overview.none')}</p>`;
  return consolePage(ctx, ct('overview.title'), html`<h1>${ct('overview.title')}</h1>
<div class="grid two">
<section class="card" aria-labelledby="h-apps"><h2 id="h-apps">${ct('overview.pending_apps')}</h2><p class="webnumber" id="pending-apps">${data.pendingApps}</p><a href="/console/apps" aria-describedby="h-apps">${ct('overview.open')}</a></section>
<section class="card" aria-labelledby="h-rev"><h2 id="h-rev">${ct('overview.pending_revocations')}</h2><p class="webnumber" id="pending-revocations">${data.pendingRevocations}</p><a href="/console/revocations" aria-describedby="h-rev">${ct('overview.open')}</a></section>
<section class="card" aria-labelledby="h-appeals"><h2 id="h-appeals">${ct('overview.open_appeals')}</h2><p class="webnumber" id="open-appeals">${data.openAppeals}</p><a href="/console/appeals" aria-describedby="h-appeals">${ct('overview.open')}</a></section>
</div>
<section class="card" aria-labelledby="h-registry"><h2 id="h-registry">${ct('overview.registry')}</h2>${registry}</section>`);
}

export function appsPage(ctx: ConsoleContext, apps: readonly RelyingParty[]): string {
  const ct = consoleText(ctx.lang);
  const act = canAct(ctx.operator);
  const stateClass = (s: string) => (s === 'approved' ? 'ok' : s === 'suspended' ? 'bad' : 'none');
  const items = apps.map((a, i) => {
    const h = `app-${i}`;
    const path = `/console/apps/${encodeURIComponent(a.clientId)}`;
    const actions = act
      ? html`<div class="actions">
${a.state !== 'approved' ? html`<form method="post" action="${path}/approve"><button type="submit" data-action="approve" aria-describedby="${h}">${a.state === 'suspended' ? ct('apps.reinstate') : ct('apps.approve')}</button></form>` : ''}
${a.state !== 'suspended' ? html`<form method="post" action="${path}/suspend"><div class="field"><label for="${h}-reason">${ct('apps.suspend.reason')}</label><input type="text" id="${h}-reason" name="reason" maxlength="500" autocomplete="off"></div><button type="submit" class="danger" data-action="suspend" aria-describedby="${h}">${ct('apps.suspend')}</button></form>` : ''}
</div>`
      : '';
    return html`<li class="entry" data-client-id="${a.clientId}" data-state="${a.state}"><h2 id="${h}">${a.name}</h2>
<dl>
<dt>${ct('apps.client_id')}</dt><dd><code>${a.clientId}</code></dd>
<dt>${ct('apps.organisation')}</dt><dd>${a.organisation}</dd>
<dt>${ct('apps.state')}</dt><dd><span class="state ${stateClass(a.state)}">${ct(`state.${a.state}` as ConsoleMessageId)}</span></dd>
<dt>${ct('apps.claims')}</dt><dd>${a.claims.length ? a.claims.map((c) => c.claim).join(', ') : '—'}</dd>
</dl>${actions}</li>`;
  });
  return consolePage(ctx, ct('apps.title'), html`<h1>${ct('apps.title')}</h1><p class="lead">${ct('apps.lead')}</p>
${apps.length ? html`<ul class="list" id="apps">${items}</ul>` : html`<p>${ct('apps.empty')}</p>`}`);
}

export interface OperatorRow {
  readonly operator: Operator;
  readonly lastSignInAt: Date | null;
}

export function operatorsPage(ctx: ConsoleContext, rows: readonly OperatorRow[]): string {
  const ct = consoleText(ctx.lang);
  const act = canAct(ctx.operator);
  const items = rows.map(({ operator: o, lastSignInAt }, i) => {
    const h = `op-${i}`;
    const self = o.id === ctx.operator.id;
    const base = `/console/operators/${o.id}`;
    const actions = act && !self && o.status === 'active'
      ? html`<div class="actions">
<form method="post" action="${base}/reissue"><p class="hint" id="${h}-reissue-hint">${ct('operators.reissue.hint')}</p><button type="submit" class="secondary" data-action="reissue" aria-describedby="${h} ${h}-reissue-hint">${ct('operators.reissue')}</button></form>
<form method="post" action="${base}/disable"><button type="submit" class="danger" data-action="disable" aria-describedby="${h}">${ct('operators.disable')}</button></form>
</div>`
      : act && !self
        ? html`<div class="actions"><form method="post" action="${base}/enable"><button type="submit" class="secondary" data-action="enable" aria-describedby="${h}">${ct('operators.enable')}</button></form></div>`
        : '';
    return html`<li class="entry" data-operator-id="${o.id}" data-status="${o.status}" data-role="${o.role}"><h2 id="${h}">${o.name}${self ? ` ${ct('operators.you')}` : ''}</h2>
<dl>
<dt>${ct('operators.role')}</dt><dd>${ct(`role.${o.role}`)}</dd>
<dt>${ct('operators.status')}</dt><dd><span class="state ${o.status === 'active' ? 'ok' : 'bad'}">${ct(`status.${o.status}`)}</span></dd>
<dt>${ct('operators.created')}</dt><dd><time datetime="${o.createdAt.toISOString()}">${fmtTime(ctx.lang, o.createdAt)}</time></dd>
<dt>${ct('operators.last_signin')}</dt><dd>${lastSignInAt ? html`<time datetime="${lastSignInAt.toISOString()}">${fmtTime(ctx.lang, lastSignInAt)}</time>` : ct('operators.unknown')}</dd>
</dl>${actions}</li>`;
  });
  return consolePage(ctx, ct('operators.title'), html`<h1>${ct('operators.title')}</h1><p class="lead">${ct('operators.lead')}</p>
<ul class="list" id="operators">${items}</ul>
<p class="meta">${ct('operators.create_hint')} <code>netid operator create --name NAME --role operator|auditor</code></p>`);
}

/** The new enrolment link, shown once (the response to the re-issue POST; not stored, not cached). */
export function linkIssuedPage(ctx: ConsoleContext, issued: { name: string; link: string; expiresAt: Date }): string {
  const ct = consoleText(ctx.lang);
  return consolePage(ctx, ct('operators.link.title'), html`<h1>${ct('operators.link.title')}</h1>
<div class="notice" role="status"><p>${ct('operators.link.lead', { name: issued.name, expires: fmtTime(ctx.lang, issued.expiresAt) })}</p></div>
<div class="card"><p><code id="new-link">${issued.link}</code></p></div>
<p><a class="button secondary" href="/console/operators">${ct('operators.link.back')}</a></p>`);
}

export interface AssistedValues {
  readonly document_type?: string;
  readonly document_number?: string;
  readonly name?: string;
  readonly birth_date?: string;
  readonly expiry_date?: string;
  readonly mrz?: string;
}

export function assistedPage(ctx: ConsoleContext, values: AssistedValues, errorCode: string | null): string {
  const ct = consoleText(ctx.lang);
  const t = messages(ctx.lang);
  const chosen = values.document_type && (DOCUMENT_TYPES as readonly string[]).includes(values.document_type) ? values.document_type : DOCUMENT_TYPES[0];
  const text = (id: keyof AssistedValues, label: ConsoleMessageId, type: 'text' | 'date', required: boolean) => html`<div class="field"><label for="${id}">${ct(label)}</label>
<input type="${type}" id="${id}" name="${id}" value="${values[id] ?? ''}" autocomplete="off" spellcheck="false"${required ? raw(' required aria-required="true"') : ''}></div>`;
  const form = canAct(ctx.operator)
    ? html`<form method="post" action="/console/enrol-assisted" id="assisted">
<fieldset><legend>${ct('assisted.doctype')}</legend>
${DOCUMENT_TYPES.map((type) => html`<div class="choice"><input type="radio" name="document_type" id="doc-${type}" value="${type}"${type === chosen ? raw(' checked') : ''}><label for="doc-${type}">${t[`enrol.doc.${type}` as MessageId]}</label></div>`)}
</fieldset>
${text('document_number', 'assisted.number', 'text', true)}
${text('name', 'assisted.name', 'text', true)}
${text('birth_date', 'assisted.birth', 'date', true)}
${text('expiry_date', 'assisted.expiry', 'date', false)}
<div class="field"><label for="mrz">${ct('assisted.mrz')}</label><textarea id="mrz" name="mrz" rows="2" spellcheck="false" autocomplete="off">${values.mrz ?? ''}</textarea></div>
<button type="submit">${ct('assisted.submit')}</button>
</form>`
    : '';
  return consolePage(ctx, ct('assisted.title'), html`<h1>${ct('assisted.title')}</h1><p class="lead">${ct('assisted.lead')}</p>
${errorCode ? errorBox(ctx.lang, errorCode) : ''}${form}`);
}

export interface HandOff {
  readonly enrolmentId: string;
  readonly url: string;
  /** data: URL of the QR code (SVG). */
  readonly qr: string;
  readonly nextStep: string | null;
  readonly state: string;
  readonly expiresAt: Date;
}

export function handOffPage(ctx: ConsoleContext, handOff: HandOff): string {
  const ct = consoleText(ctx.lang);
  const progress = handOff.state === 'issued' ? 'next.done' : handOff.state === 'failed' || handOff.state === 'expired' || handOff.state === 'cancelled' ? 'next.failed' : hasConsoleText(`next.${handOff.nextStep}`) ? (`next.${handOff.nextStep}` as ConsoleMessageId) : 'next.issue';
  return consolePage(ctx, ct('assisted.handoff.title'), html`<h1>${ct('assisted.handoff.title')}</h1>
<p class="lead">${ct('assisted.handoff.lead', { expires: fmtTime(ctx.lang, handOff.expiresAt) })}</p>
<div class="grid two">
<div class="card"><img class="qr" id="handoff-qr" src="${handOff.qr}" width="288" height="288" alt="${ct('assisted.handoff.qr', { url: handOff.url })}"></div>
<div class="card"><p><a id="handoff-link" href="${handOff.url}">${handOff.url}</a></p>
<dl class="entry"><dt>${ct('assisted.handoff.state')}</dt><dd id="handoff-state" data-state="${handOff.state}">${ct(progress)}</dd></dl>
<div class="actions"><a class="button secondary" href="/console/enrol-assisted?enrolment=${handOff.enrolmentId}">${ct('assisted.handoff.refresh')}</a><a class="button secondary" href="/console/enrol-assisted">${ct('assisted.handoff.another')}</a></div></div>
</div>`);
}

export function auditPage(ctx: ConsoleContext, actions: readonly RecordedAction[]): string {
  const ct = consoleText(ctx.lang);
  const actionLabel = (a: string) => (hasConsoleText(`action.${a}`) ? ct(`action.${a}` as ConsoleMessageId) : a);
  const items = actions.map((a, i) => html`<li class="entry" data-action="${a.action}" data-operator-id="${a.operatorId ?? ''}" data-target-id="${a.targetId}"><h2 id="act-${i}">${actionLabel(a.action)}</h2>
<dl>
<dt>${ct('audit.when')}</dt><dd><time datetime="${a.occurredAt.toISOString()}">${fmtTime(ctx.lang, a.occurredAt)}</time></dd>
<dt>${ct('audit.who')}</dt><dd>${a.operatorName ?? ct('audit.cli')}</dd>
<dt>${ct('audit.role')}</dt><dd>${a.operatorRole ? ct(`role.${a.operatorRole}`) : '—'}</dd>
<dt>${ct('audit.target')}</dt><dd><code>${a.targetType}:${a.targetId}</code></dd>
${Object.keys(a.details).length ? html`<dt>${ct('audit.details')}</dt><dd>${Object.entries(a.details).map(([k, v]) => `${k}=${String(v)}`).join(', ')}</dd>` : ''}
</dl></li>`);
  return consolePage(ctx, ct('audit.title'), html`<h1>${ct('audit.title')}</h1><p class="lead">${ct('audit.lead')}</p>
${actions.length ? html`<ol class="list" id="actions">${items}</ol>` : html`<p>${ct('audit.empty')}</p>`}`);
}
