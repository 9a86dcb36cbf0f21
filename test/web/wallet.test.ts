/**
 * The browser wallet in Debian's Chromium: a signed-in person puts their web certificate on the
 * device from the home page; the page shows a dynamic QR code whose presentation netid's verifier
 * accepts over HTTP (issuer keys and status list fetched from the running service, as `netid
 * verify --issuer` does), which changes with each 30-second window to one sharing nothing with the
 * last, and which never reaches the server. The device keys in IndexedDB cannot be exported.
 * Revocation shows on the page and clears the device. Chinese and English; axe-core finds no
 * serious or critical violation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RunningNode } from '../../src/app/app.ts';
import { webCertificateVct } from '../../src/credentials/claims.ts';
import { verifyDynamicQr } from '../../src/credentials/presentation-request.ts';
import { JwksCache, StatusListCache } from '../../src/credentials/verifier/index.ts';
import { startBrowserRig, type BrowserRig } from './support.ts';
import { addExistingPasskey, axeViolations } from '../support/browser.ts';
import { ADULT, enrolPerson } from '../oidc/support.ts';

let node: RunningNode;
let browser: Browser;
let base: string;
let rig: BrowserRig;

before(async () => {
  rig = await startBrowserRig();
  ({ node, base, browser } = rig);
});

after(async () => rig?.close());

/** A verifier at a counter: trusts this netid, fetches its keys and status lists over HTTP. */
function counterVerifier() {
  const issuerKeys = new JwksCache({ trustedIssuers: [base], fetch: async (url) => (await fetch(url)).json() });
  const statusLists = new StatusListCache({ issuerKeys, fetch: async (uri) => (await fetch(uri, { headers: { accept: 'application/statuslist+jwt' } })).text() });
  return (presentation: string, now: Date) => verifyDynamicQr(presentation, { issuerKeys, statusLists, expectedVct: webCertificateVct(base), requiredClaims: ['verified', 'age_over_18'], now });
}

/** An enrolled person whose passkey sits in the page's DevTools virtual authenticator. */
async function personWithPasskey(context: BrowserContext, page: Page, documentNumber: string) {
  const enrolled = await enrolPerson({ node, issuer: base }, { ...ADULT, document_number: documentNumber });
  await addExistingPasskey(context, page, enrolled.authenticator.exportCredential());
  return enrolled;
}

const payloadOf = (page: Page) => page.getAttribute('#qr', 'data-payload');
const pageNow = async (page: Page) => new Date(await page.evaluate(() => Date.now()));
const kbPayload = (vp: string) => JSON.parse(Buffer.from(vp.slice(vp.lastIndexOf('~') + 1).split('.')[1]!, 'base64url').toString('utf8'));
const issuerPayload = (vp: string) => JSON.parse(Buffer.from(vp.split('.')[1]!, 'base64url').toString('utf8'));
const salts = (vp: string) => vp.split('~').slice(1, -1).map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8'))[0] as string);

/** What the page's IndexedDB holds: how many credentials, and what exporting each key gives. */
function storedKeys(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('netid-wallet');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const records = await new Promise<{ privateKey: CryptoKey }[]>((resolve) => {
      const all = db.transaction('credentials').objectStore('credentials').getAll();
      all.onsuccess = () => resolve(all.result);
    });
    db.close();
    const exports: string[] = [];
    for (const r of records) {
      for (const format of ['pkcs8', 'jwk'] as const) {
        try {
          await crypto.subtle.exportKey(format, r.privateKey);
          exports.push('exported');
        } catch (error) {
          exports.push((error as Error).name);
        }
      }
    }
    return { count: records.length, types: records.map((r) => `${r.privateKey.type}:${r.privateKey.extractable}`), exports };
  });
}

const texts = {
  'zh-CN': { get: '在本设备上领取网证', none: '本设备上还没有您的网证', active: '有效', revoked: '已吊销', alt: '网证动态二维码', refresh: /^\d+ 秒后更新$/ },
  en: { get: 'Put my web certificate on this device', none: 'Your web certificate is not on this device yet', active: 'Valid', revoked: 'Revoked', alt: 'Dynamic QR code of your web certificate', refresh: /^Refreshes in \d+ s$/ },
} as const;

for (const lang of ['zh-CN', 'en'] as const) {
  describe(`the browser wallet in ${lang}`, () => {
    it('puts the web certificate on the device and shows a single-use, issuer-blind dynamic QR', { timeout: 120_000 }, async () => {
      const t = texts[lang];
      const context = await browser.newContext({ locale: lang, viewport: { width: 390, height: 844 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      // Everything the page sends to netid, to show that no presentation goes there.
      const sent: string[] = [];
      page.on('request', (request) => sent.push(`${request.url()} ${request.postData() ?? ''}`));
      await page.clock.install();
      const person = await personWithPasskey(context, page, lang === 'en' ? '310104198511200224' : '11010519900307013X');
      await context.addCookies([{ name: 'netid_lang', value: lang, url: base }]);

      // Sign in with the passkey; home says there is no web certificate yet, here or anywhere.
      await page.goto(`${base}/signin?next=/`);
      await page.click('#signin');
      await page.waitForURL(`${base}/`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      await page.locator('#wallet-get').waitFor({ state: 'visible' });
      assert.equal((await page.textContent('#wallet-get'))!.trim(), t.get);
      assert.ok((await page.textContent('#wallet-none'))!.includes(t.none));
      assert.equal(await page.isVisible('#qr-area'), false);
      assert.deepEqual(await axeViolations(page), [], 'home without a certificate on the device');

      // One click: keys made on the device, a batch issued, the QR shown and the state active.
      await page.click('#wallet-get');
      await page.waitForFunction(() => document.getElementById('qr')?.dataset.payload);
      assert.equal((await page.textContent('#cert-state'))!.trim(), t.active);
      assert.equal(await page.isVisible('#wallet-get'), false);
      assert.equal(await page.getAttribute('#qr', 'role'), 'img');
      assert.equal(await page.getAttribute('#qr', 'aria-label'), t.alt);
      assert.equal(await page.locator('#qr svg path').count(), 1);
      assert.equal(await page.getAttribute('#qr-countdown', 'aria-live'), 'off');
      assert.match((await page.textContent('#qr-countdown'))!.trim(), t.refresh);
      assert.deepEqual(await axeViolations(page), [], 'home with the dynamic QR');

      // The QR's presentation checks out at a counter verifier, discloses only the two facts.
      const verify = counterVerifier();
      const first = (await payloadOf(page))!;
      const checked = await verify(first, await pageNow(page));
      assert.ok(checked.ok, JSON.stringify(checked));
      assert.deepEqual(checked.claims, { verified: true, age_over_18: true });

      // The keys: in IndexedDB, private, unexportable; the one just used is gone (7 of 8 left).
      const keys = await storedKeys(page);
      assert.equal(keys.count, 7);
      assert.ok(keys.types.every((k) => k === 'private:false'), keys.types.join());
      assert.ok(keys.exports.every((e) => e === 'InvalidAccessError'), keys.exports.join());

      // The next window: a new presentation from another credential, nothing in common.
      await page.clock.fastForward('00:45');
      await page.waitForFunction((previous) => document.getElementById('qr')?.dataset.payload !== previous, first);
      const second = (await payloadOf(page))!;
      const again = await verify(second, await pageNow(page));
      assert.ok(again.ok, JSON.stringify(again));
      assert.notEqual(kbPayload(second).nonce, kbPayload(first).nonce, 'a later window');
      assert.notDeepEqual(issuerPayload(second).cnf.jwk, issuerPayload(first).cnf.jwk, 'another device key');
      assert.notEqual(issuerPayload(second).status.status_list.idx, issuerPayload(first).status.status_list.idx, 'another status index');
      assert.equal(salts(second).filter((s) => salts(first).includes(s)).length, 0, 'no salt in common');
      assert.notEqual(second.split('~')[0], first.split('~')[0], 'another issuer signature');
      assert.equal((await storedKeys(page)).count, 6);

      // Issuer-blind: no request the page made carries either presentation.
      for (const vp of [first, second]) {
        const kbSignature = vp.slice(vp.lastIndexOf('.') + 1);
        assert.equal(sent.filter((s) => s.includes(kbSignature)).length, 0, 'a presentation reached the server');
      }
      assert.ok(sent.some((s) => s.includes('/api/v1/me/web-certificates') && s.includes('"holder_keys"') && !s.includes('"d"')), 'only public keys were sent');

      // Left open, the QR keeps changing; running low, the wallet fetches a second batch of 8;
      // after 10 codes it pauses (so an open tab cannot use up the day's allowance) until asked.
      let latest = second;
      for (let shown = 2; shown < 10; shown++) {
        await page.clock.fastForward('00:45');
        await page.waitForFunction((previous) => document.getElementById('qr')?.dataset.payload !== previous, latest);
        latest = (await payloadOf(page))!;
      }
      const tenth = await verify(latest, await pageNow(page));
      assert.ok(tenth.ok, JSON.stringify(tenth));
      await page.clock.fastForward('00:45');
      await page.locator('#qr-resume').waitFor({ state: 'visible' });
      assert.equal(await payloadOf(page), null, 'no code while paused');
      assert.equal(sent.filter((s) => s.includes('/api/v1/me/web-certificates')).length, 2, 'two batches');
      assert.equal((await storedKeys(page)).count, 8 + 8 - 10);
      await page.click('#qr-resume');
      await page.waitForFunction(() => document.getElementById('qr')?.dataset.payload);
      latest = (await payloadOf(page))!;
      assert.ok((await verify(latest, await pageNow(page))).ok);

      // Reloading the page shows the server's view (active, with an expiry) and keeps the QR going.
      await page.reload();
      await page.waitForFunction((previous) => { const p = document.getElementById('qr')?.dataset.payload; return p && p !== previous; }, latest);
      assert.equal((await page.textContent('#cert-state'))!.trim(), t.active);

      // Revoked by netid: the page says so, the device forgets its credentials, the old QR fails.
      await node.services.credentials.revokePersonCredentials(person.personId, 'person_request');
      await page.reload();
      await page.locator('#wallet-get').waitFor({ state: 'visible' });
      assert.equal((await page.textContent('#cert-state'))!.trim(), t.revoked);
      assert.equal((await storedKeys(page)).count, 0);
      const afterRevocation = await counterVerifier()(latest, await pageNow(page));
      assert.equal(afterRevocation.ok ? 'ok' : afterRevocation.error.code, 'vp.revoked');
      assert.deepEqual(await axeViolations(page), [], 'home after revocation');

      assert.deepEqual(problems, []);
      await context.close();
    });
  });
}
