/**
 * The netid app in a real browser (Debian's Chromium): a person goes from nothing to a web number
 * through the pages alone — document, selfie from the (fake) camera, passkey from the DevTools
 * virtual authenticator — then sees home, activity (reports an entry), connected apps and
 * settings, signs out and back in with the passkey, and deactivates. Once in Chinese and once in
 * English; axe-core finds no serious or critical violation on any page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RunningNode } from '../../src/app/app.ts';
import { startBrowserRig, type BrowserRig } from './support.ts';
import { addVirtualAuthenticator, axeViolations } from '../support/browser.ts';
import { faces, loadPhoto } from '../face/fixtures.ts';
import { renderSVG } from 'uqr';

const people = {
  'zh-CN': { number: '11010519900307013X', name: '张伟', birth: '1990-03-07' },
  en: { number: '310104198511200224', name: '李娜', birth: '1985-11-20' },
} as const;

let node: RunningNode;
let browser: Browser;
let base: string;
let rig: BrowserRig;

async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${where}: serious or critical axe violations`);
}

before(async () => {
  // The registry holds one photo of the woman; the camera shows another photo of her.
  rig = await startBrowserRig({ env: { NETID_LIVENESS_MODE: 'passive', NETID_DEMO_DATA: 'true' }, cameraPhoto: await loadPhoto(faces.personA[0]) });
  ({ node, base, browser } = rig);
  const portrait = await loadPhoto(faces.personA[1]);
  await node.services.embeddedRegistry!.importRecords(Object.values(people).map((p) => ({
    documentType: 'cn_resident_id', documentNumber: p.number, name: p.name, birthDate: p.birth, sex: 'F', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait, guardian: null,
  })));
});

after(async () => rig?.close());

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`a person's journey in ${lang}`, () => {
    it('goes from nothing to a web number, uses every page, signs in again and deactivates', { timeout: 240_000 }, async () => {
      const person = people[lang];
      const context = await browser.newContext({ locale: lang, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await addVirtualAuthenticator(context, page);
      const text = (zh: string, en: string) => (lang === 'en' ? en : zh);

      // Language: the browser's (Accept-Language) until the person chooses; the switch (a cookie) then wins.
      await page.goto(`${base}/enrol`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await page.click('.lang-switch');
      await page.waitForURL(`${base}/enrol`);
      assert.equal(await page.getAttribute('html', 'lang'), lang === 'en' ? 'zh-CN' : 'en');
      await page.click('.lang-switch');
      await page.waitForURL(`${base}/enrol`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await expectAccessible(page, 'enrol: document step');

      // A wrong name: the registry says no, in the page's language, with what to do next.
      await page.fill('#document_number', person.number);
      await page.fill('#name', text('王五', 'WRONG NAME'));
      await page.fill('#birth_date', person.birth);
      await page.click('#document-form button[type="submit"]');
      await page.locator('#problem').waitFor({ state: 'visible' });
      const message = await page.textContent('#problem');
      assert.match(message!, lang === 'en' ? /do not match the population registry/ : /人口登记信息不一致/);
      assert.match(message!, lang === 'en' ? /your date of birth/ : /出生日期/, 'the advice names every detail that may differ');
      await expectAccessible(page, 'enrol: document error');

      await page.fill('#name', person.name);
      await page.click('#document-form button[type="submit"]');
      await page.locator('#step-selfie').waitFor({ state: 'visible' });
      assert.equal(await page.isVisible('#problem'), false);
      await expectAccessible(page, 'enrol: selfie step');

      await page.click('#camera-start');
      await page.locator('#capture').waitFor({ state: 'visible' });
      await page.click('#capture');
      await page.locator('#step-passkey').waitFor({ state: 'visible', timeout: 120_000 });
      await expectAccessible(page, 'enrol: passkey step');

      await page.click('#passkey-create');
      await page.locator('#step-done').waitFor({ state: 'visible' });
      const webNumber = (await page.textContent('#web-number'))!.trim();
      assert.match(webNumber, /^[0-9A-HJ-NP-Z]{10}$/);
      await expectAccessible(page, 'enrol: done');

      // Home: the web number and one device.
      await page.goto(`${base}/`);
      assert.equal((await page.textContent('#web-number'))!.trim(), webNumber);
      assert.equal(await page.locator('#devices > li').count(), 1);
      await expectAccessible(page, 'home');

      // Activity: the enrolment is there; "this wasn't me" is recorded as a report entry.
      await page.click(`nav a[href="/activity"]`);
      await page.waitForURL(`${base}/activity`);
      const entriesBefore = await page.locator('li.entry').count();
      assert.ok(entriesBefore >= 1, 'the enrolment shows in the activity');
      await expectAccessible(page, 'activity');
      await page.locator('li.entry button[value="not_me"]').first().click();
      await page.waitForURL(`${base}/activity?reported=1`);
      assert.match((await page.textContent('[role="status"]'))!, lang === 'en' ? /received your report/ : /已收到您的报告/);
      assert.equal(await page.locator('li.entry[data-type="report_not_me"]').count(), 1);
      const exported = await (await page.request.get(`${base}/activity/export.json`)).json() as { entries: { type: string }[] };
      assert.ok(exported.entries.some((e) => e.type === 'report_not_me'));

      // Sign in to the demo app: passkey, separate consent for the plaintext name, back at the app.
      await page.goto(`${base}/demo-app`);
      await expectAccessible(page, 'demo app');
      assert.equal(await page.locator('.site-header, .brand').count(), 0, "the demo app does not wear netid's header");
      assert.match((await page.textContent('header'))!, /Harbour Books|海港书店/);
      await page.click('#demo-signin');
      await page.waitForURL(/\/oidc\/interaction\//);
      await expectAccessible(page, 'OIDC sign-in');
      await page.click('#passkey');
      await page.waitForURL(/\/oidc\/interaction\/|\/demo-app$/);
      if (page.url().includes('/oidc/interaction/')) {
        await page.locator('button[value="agree"]').waitFor();
        await expectAccessible(page, 'OIDC consent');
        await page.click('button[value="agree"]');
      }
      await page.waitForURL(`${base}/demo-app`);
      assert.equal((await page.textContent('#claim-name'))!.trim(), person.name);
      assert.equal((await page.textContent('#claim-age_over_18'))!.trim(), 'true');
      await expectAccessible(page, 'demo app, signed in');
      await page.goto(`${base}/activity`);
      const demoEntries = page.locator('li.entry', { hasText: 'Harbour Books' });
      assert.equal(await demoEntries.count(), 1, 'one sign-in to the demo app is one entry');
      const entryText = (await demoEntries.first().textContent())!;
      assert.match(entryText, lang === 'en' ? /Name/ : /姓名/, 'the claims released by their labels');
      assert.doesNotMatch(entryText, /age_over_18|\bacr\b|\bamr\b/, 'no raw claim names');
      assert.match(entryText, /Cybersecurity Law art\. 24/, 'the legal basis the consent page showed');

      // The app keeps its session with a refresh token, until the person disconnects it.
      await page.goto(`${base}/demo-app`);
      await page.click('#demo-check-button');
      await page.waitForURL(`${base}/demo-app?check=ok`);

      // Scan-to-login: on a desktop browser without the passkey, the sign-in page shows a QR code;
      // the phone (this page, signed in to the netid app) opens it and approves; the desktop continues by itself.
      const desktop = await browser.newContext({ locale: lang, viewport: { width: 1280, height: 800 } });
      const screen = await desktop.newPage();
      screen.on('pageerror', (error) => problems.push(error.message));
      await screen.goto(`${base}/lang?to=${lang}&back=/demo-app`);
      await screen.click('#demo-signin');
      await screen.waitForURL(/\/oidc\/interaction\//);
      await screen.locator('#scan svg').waitFor();
      await expectAccessible(screen, 'OIDC sign-in with the scan QR code');
      const scanUrl = (await screen.getAttribute('#scan', 'data-scan-url'))!;
      assert.match(scanUrl, new RegExp(`^${base}/scan/[\\w-]{22}$`));
      // The page's QR code is the scan URL's (the DOM serialises empty SVG elements with end tags).
      const shown = (await screen.innerHTML('#scan')).replace(/><\/(rect|path)>/g, '/>');
      assert.equal(shown, renderSVG(scanUrl, { border: 2 }), 'the QR code encodes the scan URL');
      await page.goto(scanUrl);
      assert.match((await page.textContent('#scan-app'))!, /Harbour Books/);
      await expectAccessible(page, 'scan: approve');
      await page.click('#scan-approve');
      await page.locator('#scan-done').waitFor({ state: 'visible' });
      assert.match((await page.textContent('#scan-done'))!, lang === 'en' ? /Continue on the other screen/ : /请在另一个屏幕上继续/);
      await screen.locator('button[value="agree"]').waitFor({ timeout: 30_000 });
      await screen.click('button[value="agree"]');
      await screen.waitForURL(`${base}/demo-app`);
      assert.equal((await screen.textContent('#claim-name'))!.trim(), person.name);
      // The code was used once: opening it again says so.
      await page.goto(scanUrl);
      assert.equal(await page.locator('#scan-approve').count(), 0);
      await desktop.close();
      const signIns = (await (await page.request.get(`${base}/activity/export.json`)).json() as { entries: { type: string; details: { via?: string; result?: string } }[] }).entries;
      assert.ok(signIns.some((e) => e.type === 'oidc.sign_in' && e.details.via === 'scan'), 'the scan sign-in is in the activity');
      await page.goto(`${base}/apps`);
      assert.equal(await page.locator('li.entry', { hasText: 'Harbour Books' }).count(), 1);
      await expectAccessible(page, 'connected apps');
      await page.locator('li.entry', { hasText: 'Harbour Books' }).locator('button.danger').click();
      await page.waitForURL(/\/apps\?disconnected=/);
      assert.match((await page.textContent('[role="status"]'))!, lang === 'en' ? /Disconnected .*Harbour Books/ : /已断开与 海港书店/);
      assert.equal(await page.locator('li.entry', { hasText: 'Harbour Books' }).count(), 0);
      await expectAccessible(page, 'connected apps: disconnected');
      await page.goto(`${base}/demo-app`);
      await page.click('#demo-check-button');
      await page.waitForURL(`${base}/demo-app?check=revoked`);
      assert.match((await page.textContent('#demo-check'))!, lang === 'en' ? /revoked this app's access/ : /已撤销此应用的访问权限/);
      await page.goto(`${base}/activity`);
      assert.equal(await page.locator('li.entry[data-type="app.disconnected"]').count(), 1);
      await page.goto(`${base}/settings`);
      await expectAccessible(page, 'settings');

      // Sign out, then sign in again with the passkey.
      await page.click('form[action="/signout"] button');
      await page.waitForURL(`${base}/`);
      await page.goto(`${base}/activity`);
      await page.waitForURL(/\/signin\?next=/);
      await expectAccessible(page, 'sign-in');
      await page.click('#signin');
      await page.waitForURL(`${base}/activity`);

      // Deactivate: a mistyped confirmation is refused with a linked error; the right one works.
      await page.goto(`${base}/settings`);
      await page.fill('#confirm', 'ABCDEFGHJK');
      await page.click('form[action="/settings/deactivate"] button');
      assert.equal(await page.getAttribute('#confirm', 'aria-invalid'), 'true');
      assert.equal(await page.isVisible('#confirm-error'), true);
      await expectAccessible(page, 'settings: confirmation error');
      await page.fill('#confirm', webNumber);
      await page.click('form[action="/settings/deactivate"] button');
      assert.match((await page.textContent('[role="status"]'))!, lang === 'en' ? /has been deactivated/ : /已注销/);
      await page.goto(`${base}/`);
      assert.equal(await page.locator('#web-number').count(), 0, 'signed out after deactivation');
      assert.deepEqual(problems, []);
      await context.close();
    });
  });
}
