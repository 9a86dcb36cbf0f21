/**
 * The console's authority-request pages: the list (open requests with their next step, then the
 * decided ones), the submit form, and the answer to a fulfilment, which shows the released scope
 * once — the answer to the POST, never in a URL, not cached. Every form is a four-eyes act with a
 * step-up (pages.ts stepUp); the buttons follow the separation rules, and the service enforces them.
 */
import type { AuthorityRequestRow } from '../authority/authority-repository.ts';
import type { ReleasedData } from '../authority/authority-service.ts';
import { html, type Html } from '../web/layout.ts';
import type { ListedAuthorityRequest } from './authority-acts.ts';
import { consoleText, type ConsoleMessageId } from './messages.ts';
import { canAct, consolePage, fmtTime, stepUp, type ConsoleContext } from './pages.ts';

export interface AuthorityPageData {
  readonly requests: readonly ListedAuthorityRequest[];
  readonly operatorNames: ReadonlyMap<string, string>;
  readonly deferralMaxDays: number;
  readonly now: Date;
}

const IDENTITY_FIELDS = ['document_type', 'document_number', 'name', 'birth_date', 'sex', 'nationality', 'expiry_date'] as const;

const when = (ctx: ConsoleContext, value: Date | string | null) => (value ? html`<time datetime="${new Date(value).toISOString()}">${fmtTime(ctx.lang, new Date(value))}</time>` : '—');
const day = (value: Date | string) => new Date(value).toISOString().slice(0, 10);

/** Whether the one deferral extension can still be proposed or approved. */
const extensionOpen = (r: AuthorityRequestRow, now: Date) => r.deferral_until !== null && r.notice_released_at === null && r.extension_approved_by === null && new Date(r.deferral_until) > now;

export function authorityPage(ctx: ConsoleContext, data: AuthorityPageData): string {
  const ct = consoleText(ctx.lang);
  const act = canAct(ctx.operator);
  const who = (id: string | null) => (id === null ? '—' : (data.operatorNames.get(id) ?? id));
  const open = data.requests.filter((l) => l.request.state === 'submitted' || l.request.state === 'approved');
  const decided = data.requests.filter((l) => l.request.state === 'fulfilled' || l.request.state === 'rejected');

  const submit = act
    ? html`<section class="card" aria-labelledby="h-submit"><h2 id="h-submit">${ct('authority.submit.title')}</h2>
<form method="post" action="/console/authority" id="submit-request"${stepUp('authority.submit', { fields: ['web_number'] })}>
<div class="field"><label for="web_number">${ct('revocations.webnumber')}</label><span class="hint" id="web_number-hint">${ct('revocations.webnumber.hint')}</span>
<input type="text" id="web_number" name="web_number" required aria-required="true" maxlength="10" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="web_number-hint"></div>
${textField('requesting_body', ct('authority.body'))}
${textField('statute', ct('authority.statute'))}
${textField('case_reference', ct('authority.case'))}
<fieldset><legend>${ct('authority.scope')}</legend>
<div class="choice"><input type="radio" name="scope" id="scope-identity" value="identity" checked><label for="scope-identity">${ct('authority.scope.identity')}</label></div>
<div class="choice"><input type="radio" name="scope" id="scope-records" value="records"><label for="scope-records">${ct('authority.scope.records')}</label></div>
</fieldset>
<div class="field"><label for="window_from">${ct('authority.window_from')}</label><span class="hint" id="window-hint">${ct('authority.window.hint')}</span><input type="date" id="window_from" name="window_from" aria-describedby="window-hint"></div>
<div class="field"><label for="window_to">${ct('authority.window_to')}</label><input type="date" id="window_to" name="window_to" aria-describedby="window-hint"></div>
<div class="field"><label for="deferral_reason">${ct('authority.deferral_reason')}</label><span class="hint" id="deferral-hint">${ct('authority.deferral.hint', { max: data.deferralMaxDays })}</span><input type="text" id="deferral_reason" name="deferral_reason" maxlength="256" autocomplete="off" aria-describedby="deferral-hint"></div>
<div class="field"><label for="deferral_until">${ct('authority.deferral_until')}</label><input type="date" id="deferral_until" name="deferral_until" aria-describedby="deferral-hint"></div>
<button type="submit">${ct('authority.submit')}</button>
</form></section>`
    : '';

  const item = ({ request: r, webNumber }: ListedAuthorityRequest, i: number): Html => {
    const h = `req-${i}`;
    const base = `/console/authority/${r.request_id}`;
    const mine = r.submitted_by === ctx.operator.id;
    const actions: Html[] = [];
    if (act && r.state === 'submitted') {
      actions.push(html`<form method="post" action="${base}/approve"${stepUp('authority.approve', { id: r.request_id })}><button type="submit" data-action="approve" aria-describedby="${h}">${ct('authority.approve')}</button></form>`);
    }
    if (act && r.state === 'approved') {
      actions.push(html`<form method="post" action="${base}/fulfil"${stepUp('authority.fulfil', { id: r.request_id })}><p class="hint" id="${h}-fulfil-hint">${ct('authority.fulfil.hint')}</p><button type="submit" data-action="fulfil" aria-describedby="${h} ${h}-fulfil-hint">${ct('authority.fulfil')}</button></form>`);
    }
    if (act && (r.state === 'submitted' || r.state === 'approved')) {
      actions.push(html`<form method="post" action="${base}/reject"${stepUp('authority.reject', { id: r.request_id })}><div class="field"><label for="${h}-reason">${ct('authority.reject.reason')}</label><input type="text" id="${h}-reason" name="reason" required aria-required="true" maxlength="256" autocomplete="off"></div><button type="submit" class="secondary" data-action="reject" aria-describedby="${h}">${ct('authority.reject')}</button></form>`);
    }
    if (act && extensionOpen(r, data.now) && r.extension_until === null) {
      actions.push(html`<form method="post" action="${base}/extension"${stepUp('authority.extension_propose', { id: r.request_id })}>
<div class="field"><label for="${h}-ext-reason">${ct('authority.extension.reason')}</label><input type="text" id="${h}-ext-reason" name="reason" required aria-required="true" maxlength="256" autocomplete="off"></div>
<div class="field"><label for="${h}-ext-until">${ct('authority.extension.until')}</label><input type="date" id="${h}-ext-until" name="until" required aria-required="true"></div>
<button type="submit" class="secondary" data-action="propose-extension" aria-describedby="${h}">${ct('authority.extension.propose')}</button></form>`);
    }
    if (act && extensionOpen(r, data.now) && r.extension_until !== null) {
      actions.push(html`<form method="post" action="${base}/extension/approve"${stepUp('authority.extension_approve', { id: r.request_id })}><button type="submit" class="secondary" data-action="approve-extension" aria-describedby="${h}">${ct('authority.extension.approve')}</button></form>`);
    }
    const scope = r.scope === 'identity' ? ct('authority.scope.identity') : `${ct('authority.scope.records')}: ${day(r.window_from!)} – ${day(r.window_to!)}`;
    return html`<li class="entry" data-request-id="${r.request_id}" data-state="${r.state}"><h3 id="${h}">${r.requesting_body} · <code>${r.case_reference}</code></h3>
<dl>
<dt>${ct('authority.state')}</dt><dd><span class="state ${r.state === 'rejected' ? 'none' : r.state === 'fulfilled' ? 'bad' : 'ok'}">${ct(`astate.${r.state}` as ConsoleMessageId)}</span></dd>
<dt>${ct('revocations.webnumber')}</dt><dd>${webNumber ?? '—'}</dd>
<dt>${ct('authority.scope')}</dt><dd>${scope}</dd>
<dt>${ct('authority.statute')}</dt><dd>${r.legal_statute}</dd>
<dt>${ct('authority.submitted_by')}</dt><dd>${who(r.submitted_by)} · ${when(ctx, r.submitted_at)}</dd>
<dt>${ct('authority.approvals')}</dt><dd class="approvals">${[r.first_approver, r.second_approver].filter((a) => a !== null).map(who).join(', ') || '—'}</dd>
${r.fulfilled_by ? html`<dt>${ct('authority.fulfilled_by')}</dt><dd>${who(r.fulfilled_by)} · ${when(ctx, r.fulfilled_at)}</dd>` : ''}
${r.rejected_by ? html`<dt>${ct('authority.rejected_by')}</dt><dd>${who(r.rejected_by)} · ${when(ctx, r.decided_at)}</dd><dt>${ct('authority.rejection_reason')}</dt><dd>${r.rejection_reason ?? '—'}</dd>` : ''}
${r.deferral_until ? html`<dt>${ct('authority.deferred_until')}</dt><dd>${when(ctx, r.deferral_until)} · ${r.deferral_reason ?? ''}${r.notice_released_at ? html` (${ct('authority.notice_released')})` : ''}</dd>` : ''}
${r.extension_until ? html`<dt>${ct('authority.extension')}</dt><dd class="extension">${when(ctx, r.extension_until)} · ${r.extension_reason ?? ''} · ${who(r.extension_proposed_by)}${r.extension_approved_by ? html` → ${who(r.extension_approved_by)}` : ''}</dd>` : ''}
</dl>
${mine && r.state !== 'fulfilled' && r.state !== 'rejected' ? html`<p class="meta">${ct('authority.yours')}</p>` : ''}
${actions.length ? html`<div class="actions">${actions}</div>` : ''}</li>`;
  };

  return consolePage(ctx, ct('authority.title'), html`<h1>${ct('authority.title')}</h1><p class="lead">${ct('authority.lead')}</p>
${submit}
<section aria-labelledby="h-open"><h2 id="h-open">${ct('authority.open')}</h2>
${open.length ? html`<ul class="list" id="open-requests">${open.map(item)}</ul>` : html`<p>${ct('authority.open.empty')}</p>`}</section>
<section aria-labelledby="h-decided"><h2 id="h-decided">${ct('authority.decided')}</h2>
${decided.length ? html`<ul class="list" id="decided-requests">${decided.map((l, i) => item(l, open.length + i))}</ul>` : html`<p>${ct('authority.decided.empty')}</p>`}</section>`, { stepUps: true });
}

function textField(name: string, label: string): Html {
  return html`<div class="field"><label for="${name}">${label}</label><input type="text" id="${name}" name="${name}" required aria-required="true" maxlength="256" autocomplete="off"></div>`;
}

/** The released scope, shown once to the fulfilling operator (the answer to the fulfil POST). */
export function releasedPage(ctx: ConsoleContext, request: AuthorityRequestRow, released: ReleasedData): string {
  const ct = consoleText(ctx.lang);
  const identity = released.identity
    ? html`<dl class="entry" id="released-identity">${IDENTITY_FIELDS.map((f) => html`<dt>${ct(`field.${f}` as ConsoleMessageId)}</dt><dd data-field="${f}">${released.identity![f]}</dd>`)}</dl>`
    : '';
  const records = released.records
    ? released.records.length
      ? html`<ol class="list" id="released-records">${released.records.map((r) => html`<li class="entry"><dl><dt>${ct('audit.when')}</dt><dd>${when(ctx, r.occurredAt)}</dd><dt>${ct('audit.action')}</dt><dd><code>${r.type}</code></dd>${r.relyingPartyId ? html`<dt>${ct('apps.client_id')}</dt><dd><code>${r.relyingPartyId}</code></dd>` : ''}</dl></li>`)}</ol>`
      : html`<p id="released-records">${ct('authority.released.none')}</p>`
    : '';
  return consolePage(ctx, ct('authority.released.title'), html`<h1>${ct('authority.released.title')}</h1>
<div class="notice" role="status"><p>${ct('authority.released.lead', { body: request.requesting_body, case: request.case_reference })}</p></div>
<div class="card">${identity}${records}</div>
<p><a class="button secondary" href="/console/authority">${ct('authority.released.back')}</a></p>`);
}
