/**
 * A newcomer's first minutes (issue 15): a fresh node with the demo registry, a browser with no
 * camera at all (Chromium without a fake capture device), and a demo identity still enrols —
 * document, "use this demo identity's sample selfie" (the real face match and passive liveness on
 * another photo of her face, though the node asks for active liveness), a passkey from the
 * DevTools virtual authenticator — and signs in to the demo app. In Chinese and in English.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { addVirtualAuthenticator, CHROMIUM } from '../support/browser.ts';

const people = {
  'zh-CN': { document_type: 'cn_resident_id', number: '310104198511200224', name: '李娜', birth: '1985-11-20' },
  en: { document_type: 'cn_passport', number: 'E12345678', name: '赵磊', birth: '1987-07-07' },
} as const;

let t: OidcTestNode;
let browser: Browser;

before(async () => {
  // The configured liveness mode stays the default (active): the sample selfie takes the passive check.
  t = await startOidcNode({ NETID_DEMO_DATA: 'true' }, { host: 'localhost' });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await t?.close();
});

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`a demo identity without a camera, in ${lang}`, () => {
    it('enrols with the sample selfie and signs in to the demo app', { timeout: 240_000 }, async (test) => {
      const started = Date.now();
      const person = people[lang];
      const base = t.issuer;
      const context = await browser.newContext({ locale: lang, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      await addVirtualAuthenticator(context, page);

      await page.goto(`${base}/enrol`);
      const cameras = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'videoinput').length);
      assert.equal(cameras, 0, 'this browser has no camera');
      await page.check(`#doc-${person.document_type}`);
      await page.fill('#document_number', person.number);
      await page.fill('#name', person.name);
      await page.fill('#birth_date', person.birth);
      await page.click('#document-form button[type="submit"]');
      await page.locator('#step-selfie').waitFor({ state: 'visible' });

      // The camera is not there: the page says so, and offers the sample selfie.
      await page.click('#camera-start');
      await page.locator('#problem').waitFor({ state: 'visible' });
      assert.match((await page.textContent('#problem'))!, lang === 'en' ? /camera is not available/ : /无法使用摄像头/);
      assert.match((await page.textContent('#demo-selfie'))!, lang === 'en' ? /sample selfie/ : /示例自拍/);
      await page.click('#demo-selfie-use');
      await page.locator('#step-passkey').waitFor({ state: 'visible', timeout: 120_000 });
      assert.equal(await page.isVisible('#problem'), false);

      await page.click('#passkey-create');
      await page.locator('#step-done').waitFor({ state: 'visible' });
      assert.match((await page.textContent('#web-number'))!.trim(), /^[0-9A-HJ-NP-Z]{10}$/);

      // Straight to the demo app: passkey, consent for the plaintext name, back at the app.
      await page.goto(`${base}/demo-app`);
      await page.click('#demo-signin');
      await page.waitForURL(/\/oidc\/interaction\//);
      await page.click('#passkey');
      await page.locator('button[value="agree"]').waitFor();
      await page.click('button[value="agree"]');
      await page.waitForURL(`${base}/demo-app`);
      assert.equal((await page.textContent('#claim-name'))!.trim(), person.name);
      assert.equal((await page.textContent('#claim-age_over_18'))!.trim(), 'true');
      assert.deepEqual(problems, []);
      test.diagnostic(`enrolled and signed in to the demo app in ${Math.round((Date.now() - started) / 1000)} s`);
      await context.close();
    });
  });
}
