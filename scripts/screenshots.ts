/**
 * Screenshots of the netid app's main pages at a phone width (390×844) and a desktop width
 * (1280×800), written to docs/screenshots/ as small palette PNGs named <page>-<width>-<lang>.png. Drives Debian's
 * Chromium exactly as the browser tests do: a throwaway in-memory node, a person enrolled through
 * the pages (fake camera, virtual passkey).
 *
 *   node scripts/screenshots.ts [en|zh-CN]     (default en; zh-CN needs a CJK font, e.g. fonts-noto-cjk)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { startNode } from '../src/app/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { addVirtualAuthenticator, launchChromium, writeFaceVideo } from '../test/support/browser.ts';
import { freePort } from '../test/support/free-port.ts';
import { testEnv } from '../test/support/databases.ts';
import { faces, loadPhoto } from '../test/face/fixtures.ts';
import { createOperator } from '../src/console/wiring.ts';

const lang = process.argv[2] === 'zh-CN' ? 'zh-CN' : 'en';
const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'netid-shots-'));
const port = await freePort();
const base = `http://localhost:${port}`;
const adminPort = await freePort();
const node = await startNode(loadConfig(testEnv({ NETID_PORT: String(port), NETID_ADMIN_PORT: String(adminPort), NETID_ISSUER: base, NETID_DATA_DIR: dir, NETID_LIVENESS_MODE: 'passive', NETID_DEMO_DATA: 'true' })), { inMemory: true, skipLock: true });
const person = { number: '11010519900307013X', name: '张伟', birth: '1990-03-07' };
await node.services.embeddedRegistry!.importRecords([{ documentType: 'cn_resident_id', documentNumber: person.number, name: person.name, birthDate: person.birth, sex: 'M', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait: await loadPhoto(faces.personA[1]), guardian: null }]);
const video = join(dir, 'face.y4m');
await writeFaceVideo(video, await loadPhoto(faces.personA[0]));
const browser = await launchChromium(video);
const written: string[] = [];
const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

/** Screenshots of what `target` shows at each width, as small palette PNGs named <name>-<width>-<lang>.png. */
async function capture(target: Page, name: string, widths: readonly (keyof typeof WIDTHS)[] = ['phone', 'desktop']): Promise<void> {
  for (const label of widths) {
    await target.setViewportSize(WIDTHS[label]);
    const small = await sharp(await target.screenshot({ fullPage: false })).png({ palette: true, colours: 64, compressionLevel: 9 }).toBuffer();
    const file = `${name}-${label}-${lang}.png`;
    writeFileSync(join(OUT, file), small);
    written.push(`${file} (${Math.round(small.length / 1024)} KiB)`);
  }
}
try {
  const context = await browser.newContext({ locale: lang, viewport: { width: 1280, height: 800 } });
  await context.addCookies([{ name: 'netid_lang', value: lang, url: base }]);
  const page = await context.newPage();
  await addVirtualAuthenticator(context, page);
  const shoot = (name: string) => capture(page, name);
  await page.goto(`${base}/`);
  await shoot('landing');
  await page.goto(`${base}/enrol`);
  await shoot('enrol-document');
  await page.fill('#document_number', person.number);
  await page.fill('#name', person.name);
  await page.fill('#birth_date', person.birth);
  await page.click('#document-form button[type="submit"]');
  await page.locator('#step-selfie').waitFor({ state: 'visible' });
  await page.click('#camera-start');
  await page.locator('#capture').waitFor({ state: 'visible' });
  await page.waitForTimeout(500);
  await shoot('enrol-selfie');
  await page.click('#capture');
  await page.locator('#step-passkey').waitFor({ state: 'visible', timeout: 120_000 });
  await page.click('#passkey-create');
  await page.locator('#step-done').waitFor({ state: 'visible' });
  await shoot('enrol-done');
  await page.goto(`${base}/demo-app`);
  await page.click('#demo-signin');
  await page.waitForURL(/\/oidc\/interaction\//);
  await shoot('oidc-signin');
  // Scan-to-login: the phone's approval page for the code this sign-in page shows.
  const scanUrl = (await page.getAttribute('#scan', 'data-scan-url'))!;
  const phone = await context.newPage();
  await phone.goto(scanUrl);
  await capture(phone, 'scan-approve', ['phone']);
  await phone.close();
  await page.click('#passkey');
  await page.locator('button[value="agree"]').waitFor();
  await shoot('oidc-consent');
  await page.click('button[value="agree"]');
  await page.waitForURL(`${base}/demo-app`);
  await shoot('demo-app');
  for (const path of ['/', '/activity', '/apps', '/settings']) {
    await page.goto(`${base}${path}`);
    await shoot(path === '/' ? 'home' : path.slice(1));
  }
  // The browser wallet: the web certificate on this device and its dynamic QR code.
  await page.goto(`${base}/`);
  await page.click('#wallet-get');
  await page.locator('#qr svg').waitFor();
  await shoot('home-wallet');
  await context.close();

  // The operator console, signed in with a passkey from the one-time enrolment link.
  const operator = await createOperator(node.services, { name: lang === 'en' ? 'Wang Fang' : '王芳', role: 'operator' }, adminPort);
  const consoleContext = await browser.newContext({ locale: lang, viewport: { width: 1280, height: 800 } });
  await consoleContext.addCookies([{ name: 'netid_lang', value: lang, url: `http://localhost:${adminPort}` }]);
  const consolePage = await consoleContext.newPage();
  await addVirtualAuthenticator(consoleContext, consolePage);
  await consolePage.goto(operator.enrolment_link!);
  await consolePage.click('#enrol');
  await consolePage.waitForURL(/\/console\/signin/);
  await consolePage.click('#signin');
  await consolePage.waitForURL(`http://localhost:${adminPort}/console`);
  for (const [path, name] of [['/console', 'console'], ['/console/apps', 'console-apps'], ['/console/audit', 'console-audit']] as const) {
    await consolePage.goto(`http://localhost:${adminPort}${path}`);
    await capture(consolePage, name);
  }
  await consoleContext.close();
} finally {
  await browser.close();
  await node.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(written.join('\n'));
