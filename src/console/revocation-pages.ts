/**
 * The console's revocation pages: proposals and their decisions, the decided history, per-app
 * blocks (the Revocation page), and the open appeals. Every form is a four-eyes act with a
 * step-up (pages.ts stepUp).
 */
import type { RelyingParty } from '../relying-parties/registry.ts';
import type { AppealRow, RevocationRow } from '../revocation/revocation-repository.ts';
import { html } from '../web/layout.ts';
import { consoleText, hasConsoleText, type ConsoleMessageId } from './messages.ts';
import { canAct, consolePage, fmtTime, OPERATOR_REVOCATION_REASONS, REVOCATION_HISTORY_PAGE_SIZE, stepUp, type ConsoleContext } from './pages.ts';

export interface RevocationHistory {
  readonly rows: ReadonlyArray<{ readonly revocation: RevocationRow; readonly decidedAt: Date | null }>;
  /** 1-based. */
  readonly page: number;
  readonly hasMore: boolean;
}

export interface RevocationsData {
  readonly pending: readonly RevocationRow[];
  readonly history: RevocationHistory;
  /** Approved apps a person can be blocked from. */
  readonly apps: readonly RelyingParty[];
  /** Per-app blocks in force, with the person's web number. */
  readonly blocks: readonly { personId: string; webNumber: string | null; clientId: string; reason: string; reference: string; blockedBy: string; blockedAt: Date }[];
  readonly operatorNames: ReadonlyMap<string, string>;
}

const reasonLabelOf = (ct: ReturnType<typeof consoleText>) => (r: string) => (hasConsoleText(`reason.${r}`) ? ct(`reason.${r}` as ConsoleMessageId) : r);

/** Who an actor id of the revocation service is: an operator's name, the person, or the registry. */
const actorName = (ct: ReturnType<typeof consoleText>, names: ReadonlyMap<string, string>) => (id: string | null) => (id === null ? '—' : id === 'person' ? ct('who.person') : id === 'registry' ? ct('who.registry') : (names.get(id) ?? id));

export function revocationsPage(ctx: ConsoleContext, data: RevocationsData): string {
  const { pending, operatorNames } = data;
  const ct = consoleText(ctx.lang);
  const act = canAct(ctx.operator);
  const reasonLabel = reasonLabelOf(ct);
  const propose = act
    ? html`<section class="card" aria-labelledby="h-propose"><h2 id="h-propose">${ct('revocations.propose')}</h2>
<form method="post" action="/console/revocations" id="propose"${stepUp('revocation.propose', { fields: ['web_number'] })}>
<div class="field"><label for="web_number">${ct('revocations.webnumber')}</label><span class="hint" id="web_number-hint">${ct('revocations.webnumber.hint')}</span>
<input type="text" id="web_number" name="web_number" required aria-required="true" maxlength="10" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="web_number-hint"></div>
<div class="field"><label for="reason">${ct('revocations.reason')}</label><select id="reason" name="reason" required aria-required="true">${OPERATOR_REVOCATION_REASONS.map((r) => html`<option value="${r}">${reasonLabel(r)}</option>`)}</select></div>
<div class="field"><label for="reference">${ct('revocations.reference')}</label><input type="text" id="reference" name="reference" required aria-required="true" maxlength="256" autocomplete="off"></div>
<div class="field"><label for="procedure">${ct('revocations.procedure')}</label><input type="text" id="procedure" name="procedure" maxlength="256" autocomplete="off"></div>
<button type="submit">${ct('revocations.submit')}</button>
</form></section>`
    : '';
  const items = pending.map((r, i) => {
    const h = `rev-${i}`;
    const mine = r.proposed_by === ctx.operator.id;
    const base = `/console/revocations/${r.revocation_id}`;
    return html`<li class="entry" data-revocation-id="${r.revocation_id}"><h3 id="${h}">${reasonLabel(r.reason)} · <code>${r.reference}</code></h3>
<dl>
<dt>${ct('revocations.proposed_by')}</dt><dd>${operatorNames.get(r.proposed_by) ?? r.proposed_by}</dd>
<dt>${ct('revocations.proposed_at')}</dt><dd>${fmtTime(ctx.lang, new Date(r.proposed_at))}</dd>
${r.procedure ? html`<dt>${ct('revocations.procedure')}</dt><dd>${r.procedure}</dd>` : ''}
</dl>
${mine ? html`<p class="meta">${ct('revocations.yours')}</p>` : ''}
${act ? html`<div class="actions">
<form method="post" action="${base}/approve"${stepUp('revocation.approve', { id: r.revocation_id })}><button type="submit" data-action="approve" aria-describedby="${h}">${ct('revocations.approve')}</button></form>
<form method="post" action="${base}/reject"${stepUp('revocation.reject', { id: r.revocation_id })}><div class="field"><label for="${h}-reason">${ct('revocations.reject.reason')}</label><input type="text" id="${h}-reason" name="reason" required aria-required="true" maxlength="256" autocomplete="off"></div><button type="submit" class="secondary" data-action="reject" aria-describedby="${h}">${ct('revocations.reject')}</button></form>
</div>` : ''}</li>`;
  });
  const who = actorName(ct, operatorNames);
  const { history } = data;
  const decided = history.rows.map(({ revocation: r, decidedAt }, i) => html`<li class="entry" data-revocation-id="${r.revocation_id}" data-state="${r.state}"><h3 id="dec-${i}">${reasonLabel(r.reason)} · <code>${r.reference}</code></h3>
<dl>
<dt>${ct('revocations.state')}</dt><dd><span class="state ${r.state === 'rejected' ? 'none' : 'bad'}">${ct(r.state === 'rejected' ? 'state.rejected' : r.state === 'applied' ? 'state.applied' : 'state.approved')}</span></dd>
<dt>${ct('revocations.proposed_by')}</dt><dd>${who(r.proposed_by)}</dd>
<dt>${ct('revocations.proposed_at')}</dt><dd>${fmtTime(ctx.lang, new Date(r.proposed_at))}</dd>
<dt>${ct('revocations.decided_by')}</dt><dd class="decided-by">${who(r.state === 'rejected' ? r.rejected_by : r.approved_by)}</dd>
<dt>${ct('revocations.decided_at')}</dt><dd>${decidedAt ? html`<time datetime="${decidedAt.toISOString()}">${fmtTime(ctx.lang, decidedAt)}</time>` : '—'}</dd>
${r.procedure ? html`<dt>${ct('revocations.procedure')}</dt><dd>${r.procedure}</dd>` : ''}
${r.rejection_reason ? html`<dt>${ct('revocations.rejection_reason')}</dt><dd class="rejection-reason">${r.rejection_reason}</dd>` : ''}
</dl></li>`);
  const pager = history.page > 1 || history.hasMore
    ? html`<nav aria-label="${ct('revocations.pages')}"><p class="actions">
${history.page > 1 ? html`<a class="button secondary" rel="prev" href="/console/revocations?page=${history.page - 1}#h-history">${ct('revocations.newer')}</a>` : ''}
<span aria-current="page">${ct('revocations.page', { n: history.page })}</span>
${history.hasMore ? html`<a class="button secondary" rel="next" id="older" href="/console/revocations?page=${history.page + 1}#h-history">${ct('revocations.older')}</a>` : ''}
</p></nav>`
    : '';
  const approvedApps = data.apps.filter((a) => a.state === 'approved');
  const block = act
    ? html`<section class="card" aria-labelledby="h-block"><h2 id="h-block">${ct('block.title')}</h2><p>${ct('block.lead')}</p>
${approvedApps.length ? html`<form method="post" action="/console/app-blocks" id="block"${stepUp('app_block.block', { fields: ['web_number', 'client_id'] })}>
<div class="field"><label for="block-web_number">${ct('revocations.webnumber')}</label><span class="hint" id="block-web_number-hint">${ct('revocations.webnumber.hint')}</span>
<input type="text" id="block-web_number" name="web_number" required aria-required="true" maxlength="10" autocomplete="off" spellcheck="false" autocapitalize="characters" aria-describedby="block-web_number-hint"></div>
<div class="field"><label for="block-client_id">${ct('block.app')}</label><select id="block-client_id" name="client_id" required aria-required="true">${approvedApps.map((a) => html`<option value="${a.clientId}">${a.name} (${a.organisation})</option>`)}</select></div>
<div class="field"><label for="block-reason">${ct('block.reason')}</label><input type="text" id="block-reason" name="reason" required aria-required="true" maxlength="256" autocomplete="off"></div>
<div class="field"><label for="block-reference">${ct('block.reference')}</label><input type="text" id="block-reference" name="reference" required aria-required="true" maxlength="256" autocomplete="off"></div>
<button type="submit" class="danger">${ct('block.submit')}</button>
</form>` : html`<p>${ct('block.no_apps')}</p>`}</section>`
    : '';
  const appName = new Map(data.apps.map((a) => [a.clientId, a.name]));
  const blocks = html`<section aria-labelledby="h-blocks"><h2 id="h-blocks">${ct('blocks.title')}</h2>
${data.blocks.length ? html`<ul class="list" id="blocks">${data.blocks.map((b, i) => html`<li data-block-app="${b.clientId}" data-block-person="${b.personId}"><div>
<h3 class="h3" id="block-${i}">${appName.get(b.clientId) ?? b.clientId}</h3>
<dl><dt>${ct('blocks.person')}</dt><dd>${b.webNumber ?? '—'}</dd><dt>${ct('block.reason')}</dt><dd>${b.reason}</dd><dt>${ct('block.reference')}</dt><dd>${b.reference}</dd><dt>${ct('blocks.since')}</dt><dd>${fmtTime(ctx.lang, b.blockedAt)} · ${operatorNames.get(b.blockedBy) ?? b.blockedBy}</dd></dl>
${act ? html`<form method="post" action="/console/app-blocks/lift"${stepUp('app_block.lift', { fields: ['person_id', 'client_id'] })}><input type="hidden" name="person_id" value="${b.personId}"><input type="hidden" name="client_id" value="${b.clientId}"><button type="submit" class="secondary" aria-describedby="block-${i}">${ct('blocks.lift')}</button></form>` : ''}
</div></li>`)}</ul>` : html`<p>${ct('blocks.empty')}</p>`}</section>`;
  return consolePage(ctx, ct('revocations.title'), html`<h1>${ct('revocations.title')}</h1><p class="lead">${ct('revocations.lead')}</p>
${propose}
<section aria-labelledby="h-pending"><h2 id="h-pending">${ct('revocations.pending')}</h2>
${pending.length ? html`<ul class="list" id="pending">${items}</ul>` : html`<p>${ct('revocations.empty')}</p>`}</section>
<section aria-labelledby="h-history"><h2 id="h-history">${ct('revocations.history')}</h2><p class="meta">${ct('revocations.history.lead', { size: REVOCATION_HISTORY_PAGE_SIZE })}</p>
${decided.length ? html`<ul class="list" id="history">${decided}</ul>` : html`<p>${ct('revocations.history.empty')}</p>`}
${pager}</section>
${block}
${blocks}`, { stepUps: true });
}

export interface OpenAppeal {
  readonly appeal: AppealRow;
  readonly revocation: RevocationRow | null;
}

export function appealsPage(ctx: ConsoleContext, appeals: readonly OpenAppeal[], operatorNames: ReadonlyMap<string, string>): string {
  const ct = consoleText(ctx.lang);
  const act = canAct(ctx.operator);
  const reasonLabel = reasonLabelOf(ct);
  const who = actorName(ct, operatorNames);
  const items = appeals.map(({ appeal: a, revocation: r }, i) => {
    const h = `appeal-${i}`;
    const form = act
      ? html`<form method="post" action="/console/appeals/${a.appeal_id}/answer"${stepUp('appeal.answer', { id: a.appeal_id })}>
<fieldset><legend>${ct('appeals.decision')}</legend>
<div class="choice"><input type="radio" name="decision" id="${h}-uphold" value="uphold" required><label for="${h}-uphold">${ct('appeals.uphold')}</label></div>
<div class="choice"><input type="radio" name="decision" id="${h}-dismiss" value="dismiss" required><label for="${h}-dismiss">${ct('appeals.dismiss')}</label></div>
</fieldset>
<div class="field"><label for="${h}-answer">${ct('appeals.answer')}</label><span class="hint" id="${h}-answer-hint">${ct('appeals.answer.hint')}</span>
<textarea id="${h}-answer" name="answer" rows="4" maxlength="4000" required aria-required="true" aria-describedby="${h}-answer-hint"></textarea></div>
<button type="submit" data-action="answer" aria-describedby="${h}">${ct('appeals.submit')}</button>
</form>`
      : '';
    return html`<li class="entry" data-appeal-id="${a.appeal_id}" data-revocation-id="${a.revocation_id}"><h2 id="${h}">${ct('appeals.item', { reason: r ? reasonLabel(r.reason) : '—' })}</h2>
<dl>
<dt>${ct('appeals.lodged_at')}</dt><dd><time datetime="${new Date(a.lodged_at).toISOString()}">${fmtTime(ctx.lang, new Date(a.lodged_at))}</time></dd>
<dt>${ct('appeals.statement')}</dt><dd class="statement">${a.statement}</dd>
<dt>${ct('appeals.revocation')}</dt><dd><code>${a.revocation_id}</code>${r ? html` · <code>${r.reference}</code>` : ''}</dd>
${r ? html`<dt>${ct('revocations.proposed_by')}</dt><dd>${who(r.proposed_by)}</dd><dt>${ct('revocations.decided_by')}</dt><dd>${who(r.approved_by)}</dd>` : ''}
${r?.procedure ? html`<dt>${ct('revocations.procedure')}</dt><dd>${r.procedure}</dd>` : ''}
</dl>${form}</li>`;
  });
  return consolePage(ctx, ct('appeals.title'), html`<h1>${ct('appeals.title')}</h1><p class="lead">${ct('appeals.lead')}</p>
${appeals.length ? html`<ul class="list" id="appeals">${items}</ul>` : html`<p>${ct('appeals.empty')}</p>`}`, { stepUps: true });
}
