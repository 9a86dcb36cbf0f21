/**
 * A passkey the browser refuses is explained in the page's language, from netid's catalogue —
 * never the browser's own English text — on the netid app's sign-in page and the OIDC sign-in page.
 * The DevTools virtual authenticator holds no passkey for netid, so Chromium refuses (NotAllowedError).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startBrowserRig, type BrowserRig } from './support.ts';
import { addVirtualAuthenticator, axeViolations } from '../support/browser.ts';

let rig: BrowserRig;
let browser: Browser;
let base: string;

before(async () => {
  rig = await startBrowserRig({ env: { NETID_DEMO_DATA: 'true' } });
  ({ browser, base } = rig);
});
after(async () => rig?.close());

const expected = {
  'zh-CN': /通行密钥操作已取消或超时/,
  en: /The passkey request was cancelled or timed out/,
} as const;

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`passkey failures in ${lang}`, () => {
    it('are explained from the catalogue on the app and OIDC sign-in pages', { timeout: 120_000 }, async () => {
      const context = await browser.newContext({ locale: lang, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      await addVirtualAuthenticator(context, page);

      await page.goto(`${base}/signin`);
      await page.click('#signin');
      await page.locator('#problem').waitFor({ state: 'visible', timeout: 90_000 });
      const appText = (await page.textContent('#problem'))!;
      assert.match(appText, expected[lang]);
      assert.doesNotMatch(appText, /w3\.org|The operation either timed out/, "never the browser's text");
      assert.deepEqual(await axeViolations(page), [], 'the sign-in page with its problem: no serious axe violation');

      await page.goto(`${base}/demo-app`);
      await page.click('#demo-signin');
      await page.waitForURL(/\/oidc\/interaction\//);
      await page.click('#passkey');
      await page.locator('#problem').waitFor({ state: 'visible', timeout: 90_000 });
      const oidcText = (await page.textContent('#problem'))!;
      assert.match(oidcText, expected[lang]);
      assert.doesNotMatch(oidcText, /w3\.org|The operation either timed out/);
      assert.deepEqual(await axeViolations(page), []);
      await context.close();
    });
  });
}
