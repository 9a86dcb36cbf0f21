/**
 * The operator console in a real browser (Debian's Chromium): two operators and an auditor are
 * created with the function `netid operator create` uses, each opens their enrolment link,
 * registers a passkey (DevTools virtual authenticator) and signs in. An operator approves a
 * pending app and suspends it, proposes a revocation, cannot approve it themselves, a second
 * operator approves it — every four-eyes act confirmed with the acting operator's passkey (the
 * console's step-up script and the virtual authenticator's user verification); an operator records
 * an authority request, cannot approve it, and a second operator gives the first approval; an operator starts an assisted enrolment and the person's phone continues
 * it from the hand-off link; the auditor sees all of it in the action record, has no action
 * buttons, and is refused with 403 when posting anyway. The decided revocation appears in the
 * history; an operator blocks the person from one approved app; the person appeals (public API)
 * and the answer written on the console reaches their activity export; a lost passkey device gets
 * a re-issued link (the old one answers 410, the new one enrols), an operator cannot disable
 * themselves, and disabling someone signs them out at their next request. Once in Chinese and once
 * in English, at phone and desktop widths; axe-core finds no serious or critical violation on any
 * console page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SESSION_COOKIE } from '../../src/accounts/person-session.ts';
import { OperatorRepository } from '../../src/console/operator-repository.ts';
import { createOperator } from '../../src/console/wiring.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import { testEnv } from '../support/databases.ts';
import { addVirtualAuthenticator, axeViolations, launchChromium } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';

const fixtures = {
  'zh-CN': { app: '税务服务', webNumber: 'WNZHCN0001', document: { number: '11010519900307013X', name: '张伟', birth: '1990-03-07' } },
  en: { app: 'Tax service', webNumber: 'WNEN000001', document: { number: '310104198511200224', name: '李娜', birth: '1985-11-20' } },
} as const;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

let node: RunningNode;
let browser: Browser;
let publicBase: string;
let adminBase: string;
let adminPort: number;
let dir: string;

async function expectAccessible(page: Page, where: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `${where}: serious or critical axe violations`);
}

interface Signed {
  readonly id: string;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: string[];
}

/** Creates an operator as the CLI does; they open the link, register a passkey and sign in. */
async function enrolAndSignIn(lang: 'zh-CN' | 'en', name: string, role: 'operator' | 'auditor', viewport: { width: number; height: number }): Promise<Signed> {
  const created = await createOperator(node.services, { name, role }, adminPort);
  assert.match(created.enrolment_link!, new RegExp(`^http://localhost:${adminPort}/console/enrol/[\\w-]{43}$`));
  const context = await browser.newContext({ locale: lang, viewport });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await addVirtualAuthenticator(context, page);
  await page.goto(created.enrolment_link!);
  // The one language rule: no choice made yet, so the browser's language decides.
  assert.equal(await page.getAttribute('html', 'lang'), lang, "the browser's language when no choice was made");
  if (lang === 'en') {
    // An explicit choice wins over the browser's language, and can be taken back.
    await page.click('a.lang-switch');
    await page.waitForURL(created.enrolment_link!);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.click('a.lang-switch');
    await page.waitForURL(created.enrolment_link!);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  }
  assert.match((await page.textContent('main'))!, new RegExp(name));
  await expectAccessible(page, `enrolment link (${role})`);
  await page.click('#enrol');
  await page.waitForURL(`${adminBase}/console/signin?enrolled=1`);
  await expectAccessible(page, 'sign-in');
  await page.click('#signin');
  await page.waitForURL(`${adminBase}/console`);
  return { id: created.operator_id, context, page, problems };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netid-console-web-'));
  const port = await freePort();
  adminPort = await freePort();
  publicBase = `http://localhost:${port}`;
  adminBase = `http://localhost:${adminPort}`;
  node = await startNode(loadConfig(testEnv({ NETID_PORT: String(port), NETID_ADMIN_PORT: String(adminPort), NETID_ISSUER: publicBase, NETID_DATA_DIR: dir, NETID_DEMO_DATA: 'true', NETID_LIVENESS_MODE: 'passive' })), { inMemory: true, skipLock: true });
  await node.services.embeddedRegistry!.importRecords(Object.values(fixtures).map((f) => ({
    documentType: 'cn_resident_id', documentNumber: f.document.number, name: f.document.name, birthDate: f.document.birth, sex: 'F' as const, nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid' as const, portrait: new Uint8Array([0xff, 0xd8, 0xff]), guardian: null,
  })));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`the operator console in ${lang}`, () => {
    it('enrols operators and an auditor, approves and suspends an app, revokes with two operators, hands off an assisted enrolment, and shows it all to the auditor', { timeout: 240_000 }, async () => {
      const f = fixtures[lang];
      const text = <T,>(zh: T, en: T): T => (lang === 'en' ? en : zh);
      const { relyingParty } = await relyingPartyRegistryOf(node.services).register({ name: f.app, organisation: 'Tax Bureau', category: 'public_service', redirect_uris: ['https://tax.example/cb'], sector_identifier: 'tax.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      await node.services.persons.create({ documentKey: `console-journey-${lang}`, webNumber: f.webNumber, attributes: { document_type: 'cn_resident_id', document_number: `X-${lang}`, name: 'Person', birth_date: '1990-01-01', sex: 'F', nationality: 'CHN', expiry_date: '2035-01-01' }, now: new Date() });

      const first = await enrolAndSignIn(lang, `Operator One ${lang}`, 'operator', PHONE);
      const second = await enrolAndSignIn(lang, `Operator Two ${lang}`, 'operator', DESKTOP);
      const auditor = await enrolAndSignIn(lang, `Auditor ${lang}`, 'auditor', DESKTOP);
      const page = first.page;

      // Overview: registry counts and pending work.
      const stats = await node.services.embeddedRegistry!.stats();
      assert.ok(stats.records > 2);
      assert.equal((await page.textContent('#registry-records'))!.trim(), String(stats.records));
      // Import status: the demo data imported at first start, with its counts.
      const firstImport = page.locator('#imports li[data-outcome="imported"]').first();
      assert.match((await firstImport.textContent())!, /registry\.jsonl/);
      assert.match((await firstImport.textContent())!, lang === 'en' ? /first start/ : /首次启动/);
      const pendingApps = (await relyingPartyRegistryOf(node.services).list()).filter((a) => a.state === 'pending').length;
      assert.equal((await page.textContent('#pending-apps'))!.trim(), String(pendingApps));
      await expectAccessible(page, 'overview');

      // Apps: approve, then suspend with a reason.
      await page.click('nav a[href="/console/apps"]');
      await page.waitForURL(`${adminBase}/console/apps`);
      await expectAccessible(page, 'apps');
      const app = page.locator(`li[data-client-id="${relyingParty.clientId}"]`);
      await app.locator('button[data-action="approve"]').click();
      await page.waitForURL(`${adminBase}/console/apps?done=approved`);
      assert.equal(await app.getAttribute('data-state'), 'approved');
      assert.match((await page.textContent('#notice'))!, text(/已批准/, /approved/));
      await expectAccessible(page, 'apps: approved');
      await app.locator('input[name="reason"]').fill(text('过度索取信息', 'asks for too much'));
      await app.locator('button[data-action="suspend"]').click();
      await page.waitForURL(`${adminBase}/console/apps?done=suspended`);
      assert.equal(await app.getAttribute('data-state'), 'suspended');
      assert.equal((await relyingPartyRegistryOf(node.services).find(relyingParty.clientId))?.state, 'suspended');

      // Revocation: propose; the proposer cannot approve; a second operator does.
      await page.goto(`${adminBase}/console/revocations`);
      await expectAccessible(page, 'revocations');
      await page.fill('#web_number', f.webNumber.toLowerCase());
      await page.selectOption('#reason', 'device_lost');
      await page.fill('#reference', `CASE-${lang}`);
      await page.click('#propose button[type="submit"]');
      await page.waitForURL(`${adminBase}/console/revocations?done=proposed`);
      const proposal = page.locator('li[data-revocation-id]', { hasText: `CASE-${lang}` });
      const revocationId = (await proposal.getAttribute('data-revocation-id'))!;
      await proposal.locator('button[data-action="approve"]').click();
      await page.waitForURL(`${adminBase}/console/revocations?error=revocation.second_approval_required`);
      assert.equal((await page.textContent('#error-code'))!.trim(), 'revocation.second_approval_required');
      assert.match((await page.textContent('#problem'))!, text(/须由另一名操作员批准/, /A second, different operator must approve/));
      await expectAccessible(page, 'revocations: second approval required');
      await second.page.goto(`${adminBase}/console/revocations`);
      await second.page.locator(`li[data-revocation-id="${revocationId}"] button[data-action="approve"]`).click();
      await second.page.waitForURL(`${adminBase}/console/revocations?done=revocation_approved`);
      assert.equal(await second.page.locator(`#pending li[data-revocation-id="${revocationId}"]`).count(), 0, 'no longer pending');
      const personId = (await node.services.persons.findIdByWebNumber(f.webNumber))!;
      assert.equal((await node.services.revocation.forPerson(personId)).revocations[0]?.state, 'applied');
      // The decided proposal moves to the history: outcome, who proposed, who decided.
      const decided = second.page.locator(`#history li[data-revocation-id="${revocationId}"]`);
      assert.equal(await decided.getAttribute('data-state'), 'applied');
      assert.match((await decided.textContent())!, new RegExp(`Operator One ${lang}[\\s\\S]*Operator Two ${lang}`));
      assert.match((await decided.textContent())!, text(/已生效/, /Applied/));
      await expectAccessible(second.page, 'revocations: history');

      // An authority request: recorded by one operator, who cannot approve it; a second one approves first.
      await page.click('nav a[href="/console/authority"]');
      await page.waitForURL(`${adminBase}/console/authority`);
      await expectAccessible(page, 'authority requests');
      await page.fill('#web_number', f.webNumber);
      await page.fill('#requesting_body', text('海淀公安分局', 'Haidian Public Security Bureau'));
      await page.fill('#statute', 'Cybersecurity Law art. 28');
      await page.fill('#case_reference', `AUTH-${lang}`);
      await page.click('#submit-request button[type="submit"]');
      await page.waitForURL(`${adminBase}/console/authority?done=authority_submitted`);
      const authorityItem = page.locator('#open-requests li[data-request-id]', { hasText: `AUTH-${lang}` });
      const requestId = (await authorityItem.getAttribute('data-request-id'))!;
      await authorityItem.locator('button[data-action="approve"]').click();
      await page.waitForURL(`${adminBase}/console/authority?error=authority.submitter_cannot_approve`);
      await second.page.goto(`${adminBase}/console/authority`);
      await second.page.locator(`li[data-request-id="${requestId}"] button[data-action="approve"]`).click();
      await second.page.waitForURL(`${adminBase}/console/authority?done=authority_first_approval`);
      const request = await node.services.authority.find(requestId);
      assert.deepEqual([request.submitted_by, request.first_approver, request.state], [first.id, second.id, 'submitted']);

      // A per-app block from the revocations page: only approved apps are offered.
      const { relyingParty: shop } = await relyingPartyRegistryOf(node.services).register({ name: `Shop ${lang}`, organisation: 'Shop Ltd', category: 'commercial', redirect_uris: ['https://shop.example/cb'], sector_identifier: 'shop.example', token_endpoint_auth_method: 'client_secret_basic' }, 'cli');
      await relyingPartyRegistryOf(node.services).transition(shop.clientId, 'approve', 'cli');
      await second.page.goto(`${adminBase}/console/revocations`);
      assert.equal(await second.page.locator(`#block-client_id option[value="${relyingParty.clientId}"]`).count(), 0, 'a suspended app is not offered');
      await second.page.fill('#block-web_number', f.webNumber);
      await second.page.selectOption('#block-client_id', shop.clientId);
      await second.page.fill('#block-reason', text('滥用退款', 'refund abuse'));
      await second.page.fill('#block-reference', `BLOCK-${lang}`);
      await second.page.click('#block button[type="submit"]');
      await second.page.waitForURL(`${adminBase}/console/revocations?done=blocked`);
      assert.equal(await node.services.revocation.isBlockedForApp(personId, shop.clientId), true);
      const blockEntry = second.page.locator(`#blocks li[data-block-app="${shop.clientId}"]`);
      assert.match((await blockEntry.textContent())!, new RegExp(f.webNumber));
      await expectAccessible(second.page, 'revocations: a block in force');

      // Assisted enrolment: the counter checks the document, the person continues on their phone.
      await page.goto(`${adminBase}/console/enrol-assisted`);
      await expectAccessible(page, 'assisted enrolment');
      await page.fill('#document_number', f.document.number);
      await page.fill('#name', text('王五', 'WRONG NAME'));
      await page.fill('#birth_date', f.document.birth);
      await page.click('#assisted button[type="submit"]');
      assert.equal((await page.textContent('#error-code'))!.trim(), 'enrolment.registry_mismatch');
      await expectAccessible(page, 'assisted enrolment: registry mismatch');
      await page.fill('#name', f.document.name);
      await page.click('#assisted button[type="submit"]');
      await page.waitForURL(/\/console\/enrol-assisted\?enrolment=/);
      const link = (await page.getAttribute('#handoff-link', 'href'))!;
      const enrolmentId = new URL(page.url()).searchParams.get('enrolment')!;
      assert.equal(link, `${publicBase}/enrol?resume=${enrolmentId}`);
      assert.match((await page.getAttribute('#handoff-qr', 'src'))!, /^data:image\/svg\+xml;base64,/);
      assert.equal(await page.getAttribute('#handoff-state', 'data-state'), 'document_checked');
      await expectAccessible(page, 'assisted enrolment: hand-off');
      const phone = await browser.newContext({ locale: lang, viewport: PHONE });
      const personPage = await phone.newPage();
      await personPage.goto(link);
      await personPage.locator('#step-selfie').waitFor({ state: 'visible' });
      assert.equal(await personPage.isVisible('#step-document'), false, 'the document step was done at the counter');
      await phone.close();

      // The person appeals; an operator dismisses it with an answer the person sees in their activity.
      const personToken = (await node.services.personSessions.create(personId, ['passkey', 'uv'])).token;
      const lodged = await fetch(`${publicBase}/api/v1/me/revocations/${revocationId}/appeal`, { method: 'POST', headers: { authorization: `Bearer ${personToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ statement: text('我的手机没有丢。', 'My phone is not lost.') }) });
      assert.equal(lodged.status, 201);
      const appealId = ((await lodged.json()) as { appeal_id: string }).appeal_id;
      await page.goto(`${adminBase}/console`);
      assert.equal((await page.textContent('#open-appeals'))!.trim(), '1');
      await page.click('nav a[href="/console/appeals"]');
      await page.waitForURL(`${adminBase}/console/appeals`);
      const appealItem = page.locator(`li[data-appeal-id="${appealId}"]`);
      assert.match((await appealItem.textContent())!, text(/我的手机没有丢/, /My phone is not lost/));
      await expectAccessible(page, 'appeals');
      const answer = text('警方已确认设备遗失；请携带设备到窗口办理。', 'The police confirmed the device lost; bring it to a counter.');
      await appealItem.locator('input[value="dismiss"]').check();
      await appealItem.locator('textarea[name="answer"]').fill(answer);
      await appealItem.locator('button[data-action="answer"]').click();
      await page.waitForURL(`${adminBase}/console/appeals?done=appeal_answered`);
      assert.equal(await page.locator(`li[data-appeal-id="${appealId}"]`).count(), 0);
      await expectAccessible(page, 'appeals: answered');
      const exported = await fetch(`${publicBase}/activity/export.json`, { headers: { cookie: `${SESSION_COOKIE}=${personToken}` } });
      const entries = ((await exported.json()) as { entries: Array<{ type: string; details: { answer?: string } }> }).entries;
      assert.equal(entries.find((e) => e.type === 'revocation.appeal_dismissed')?.details.answer, answer, "the answer is in the person's activity");

      // Operators: a lost passkey device gets a new link (the old one fails, the new one works);
      // nobody disables themselves; disabling someone signs them out at their next request.
      const lostName = `Lost device ${lang}`;
      const lost = await createOperator(node.services, { name: lostName, role: 'operator' }, adminPort);
      await page.click('nav a[href="/console/operators"]');
      await page.waitForURL(`${adminBase}/console/operators`);
      await expectAccessible(page, 'operators');
      const lostItem = page.locator(`li[data-operator-id="${lost.operator_id}"]`);
      await lostItem.locator('button[data-action="reissue"]').click();
      const newLink = (await page.textContent('#new-link'))!.trim();
      assert.match(newLink, new RegExp(`^http://localhost:${adminPort}/console/enrol/[\\w-]{43}$`));
      assert.notEqual(newLink, lost.enrolment_link);
      await expectAccessible(page, 'operators: new link');
      const lostContext = await browser.newContext({ locale: lang, viewport: PHONE });
      const lostPage = await lostContext.newPage();
      await addVirtualAuthenticator(lostContext, lostPage);
      assert.equal((await lostPage.goto(lost.enrolment_link!))!.status(), 410, 'the old link fails');
      await lostPage.goto(newLink);
      await lostPage.click('#enrol');
      await lostPage.waitForURL(`${adminBase}/console/signin?enrolled=1`);
      await lostPage.click('#signin');
      await lostPage.waitForURL(`${adminBase}/console`);
      const self = await page.request.post(`${adminBase}/console/operators/${first.id}/disable`, { form: {}, headers: { origin: adminBase } });
      assert.match(self.url(), /error=console\.cannot_disable_self/);
      assert.match(await self.text(), text(/不能停用自己/, /You cannot disable yourself/));
      await page.goto(`${adminBase}/console/operators`);
      assert.equal(await page.locator(`li[data-operator-id="${first.id}"] button`).count(), 0, 'no buttons on your own entry');
      await lostItem.locator('button[data-action="disable"]').click();
      await page.waitForURL(`${adminBase}/console/operators?done=operator_disabled`);
      assert.equal(await lostItem.getAttribute('data-status'), 'disabled');
      await lostPage.goto(`${adminBase}/console/audit`);
      await lostPage.waitForURL(/\/console\/signin\?next=/);
      await lostContext.close();

      // The auditor: every act in the record, no action buttons, and a POST is refused.
      const a = auditor.page;
      assert.equal(await a.isVisible('#read-only'), true);
      await expectAccessible(a, 'overview (auditor)');
      await a.goto(`${adminBase}/console/audit`);
      await expectAccessible(a, 'audit');
      const entry = (action: string, target: string) => a.locator(`li[data-action="${action}"][data-target-id="${target}"]`);
      assert.equal(await entry('relying_party.approved', relyingParty.clientId).count(), 1);
      assert.equal(await entry('relying_party.suspended', relyingParty.clientId).count(), 1);
      assert.equal(await entry('revocation.proposed', revocationId).count(), 1);
      assert.equal(await entry('revocation.approved', revocationId).count(), 1);
      assert.equal(await entry('enrolment.assisted_started', enrolmentId).count(), 1);
      assert.match((await entry('revocation.approved', revocationId).textContent())!, new RegExp(`Operator Two ${lang}`));
      assert.match((await entry('revocation.proposed', revocationId).textContent())!, new RegExp(`Operator One ${lang}`));
      assert.ok(await a.locator(`li[data-action="operator.signed_in"]`, { hasText: `Auditor ${lang}` }).count() >= 1);
      assert.ok(await a.locator('li[data-action="operator.created"]').count() >= 3);
      assert.ok(!(await a.textContent('#actions'))!.includes(f.document.name), 'no identity data in the record');
      assert.equal(await entry('operator.enrolment_reissued', lost.operator_id).count(), 1);
      assert.equal(await entry('operator.disabled', lost.operator_id).count(), 1);
      assert.equal(await entry('revocation.appeal_dismissed', appealId).count(), 1);
      assert.equal(await entry('app_access.blocked', shop.clientId).count(), 1);
      assert.equal(await entry('authority.submitted', requestId).count(), 1);
      assert.equal(await entry('authority.approval', requestId).count(), 1);
      for (const path of ['/console/apps', '/console/revocations', '/console/authority', '/console/enrol-assisted', '/console/operators', '/console/appeals']) {
        await a.goto(`${adminBase}${path}`);
        assert.equal(await a.locator('main form').count(), 0, `${path}: no action forms for an auditor`);
        assert.equal(await a.locator('main button').count(), 0, `${path}: no action buttons for an auditor`);
        await expectAccessible(a, `${path} (auditor)`);
      }
      const refused = await a.request.post(`${adminBase}/console/apps/${encodeURIComponent(relyingParty.clientId)}/approve`, { form: { reason: '' }, headers: { origin: adminBase } });
      assert.equal(refused.status(), 403);
      assert.match(await refused.text(), /console\.read_only/);
      const refusedJson = await a.request.post(`${adminBase}/console/revocations/${revocationId}/reject`, { form: { reason: 'x' }, headers: { origin: adminBase, accept: 'application/json' } });
      assert.equal(refusedJson.status(), 403);
      assert.equal(((await refusedJson.json()) as { error: string }).error, 'console.read_only');
      for (const path of [`/console/operators/${second.id}/disable`, `/console/operators/${lost.operator_id}/enable`, `/console/operators/${second.id}/reissue`, `/console/appeals/${appealId}/answer`, '/console/app-blocks', '/console/app-blocks/lift']) {
        const response = await a.request.post(`${adminBase}${path}`, { form: { decision: 'uphold', answer: 'x', web_number: f.webNumber, client_id: shop.clientId, person_id: personId, reason: 'x', reference: 'x' }, headers: { origin: adminBase, accept: 'application/json' } });
        assert.equal(response.status(), 403, path);
        assert.equal(((await response.json()) as { error: string }).error, 'console.read_only', path);
      }
      const operators = new OperatorRepository({ db: node.services.database.db });
      assert.equal((await operators.find(second.id))?.status, 'active', 'the refused POSTs changed nothing');
      assert.equal((await operators.passkeysOf(second.id)).length, 1);
      // An operator's browser posting from another origin (the public listener's pages) is refused too.
      const forged = await first.page.request.post(`${adminBase}/console/apps/${encodeURIComponent(relyingParty.clientId)}/approve`, { form: { reason: '' }, headers: { origin: publicBase } });
      assert.equal(forged.status(), 403);
      assert.match(await forged.text(), /console\.cross_origin/);
      assert.equal((await relyingPartyRegistryOf(node.services).find(relyingParty.clientId))?.state, 'suspended', 'the refused POSTs changed nothing');

      // Signing out ends the session.
      await a.click('#signout');
      await a.waitForURL(`${adminBase}/console/signin`);
      await a.goto(`${adminBase}/console/audit`);
      await a.waitForURL(/\/console\/signin\?next=/);

      for (const s of [first, second, auditor]) {
        assert.deepEqual(s.problems, []);
        await s.context.close();
      }
    });
  });
}
