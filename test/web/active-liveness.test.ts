/**
 * Active liveness in the enrolment wizard, in Chromium: the page asks the person to turn their
 * head left or right in a random order and takes a frame after each prompt; the server's models
 * check each movement and the face match. The person in front of the camera is a test double:
 * an in-page camera (a canvas stream standing in for getUserMedia) that shows, for each prompt the
 * page displays, a photo of the enrolling person's face turned that way — or the other way, to
 * show that a wrong movement fails with a clear message and a retry with a fresh challenge passes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import type { RunningNode } from '../../src/app/app.ts';
import { decodeImage, flipHorizontal } from '../../src/face/image.ts';
import { startBrowserRig, type BrowserRig } from './support.ts';
import { addVirtualAuthenticator, axeViolations } from '../support/browser.ts';
import { faces, loadPhoto } from '../face/fixtures.ts';

const PERSON = { number: '11010519900307013X', name: '黄敏', birth: '1990-03-07' };

let rig: BrowserRig;
let node: RunningNode;
let browser: Browser;
let base: string;
let turnedRight: string;
let turnedLeft: string;

const dataUrl = (jpeg: Uint8Array) => `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}`;

before(async () => {
  rig = await startBrowserRig({ env: { NETID_LIVENESS_MODE: 'active' } });
  ({ node, base, browser } = rig);
  // The registry holds one shot of the face; the "camera" shows another, and its mirror image for the other direction.
  await node.services.embeddedRegistry!.importRecords([{
    documentType: 'cn_resident_id', documentNumber: PERSON.number, name: PERSON.name, birthDate: PERSON.birth, sex: 'F', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait: await loadPhoto(faces.turnedFace[1]), guardian: null,
  }]);
  const turned = await loadPhoto(faces.turnedFace[0]);
  const mirrored = flipHorizontal(await decodeImage(turned));
  turnedRight = dataUrl(turned);
  turnedLeft = dataUrl(new Uint8Array(await sharp(Buffer.from(mirrored.data), { raw: { width: mirrored.width, height: mirrored.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer()));
});

after(async () => rig?.close());

/**
 * Installed before the page's scripts: getUserMedia answers with a canvas stream that shows the
 * face turned as the page's current prompt asks (or the opposite way while `__netidWrongWay`).
 */
function inPageCamera(faces: { turn_left: string; turn_right: string }): void {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 480;
  const context = canvas.getContext('2d')!;
  const images: Record<string, HTMLImageElement> = {};
  for (const [prompt, url] of Object.entries(faces)) {
    images[prompt] = new Image();
    images[prompt]!.src = url;
  }
  const win = window as unknown as { __netidWrongWay: boolean };
  win.__netidWrongWay = false;
  const currentPrompt = (): string => {
    const shown = document.getElementById('prompt')?.textContent ?? '';
    const texts = JSON.parse(document.getElementById('enrol')?.dataset.prompts ?? '{}') as Record<string, string>;
    const asked = Object.entries(texts).find(([, text]) => text === shown)?.[0] ?? 'turn_right';
    if (!win.__netidWrongWay || (asked !== 'turn_left' && asked !== 'turn_right')) return asked;
    return asked === 'turn_left' ? 'turn_right' : 'turn_left';
  };
  const draw = () => {
    const image = images[currentPrompt()] ?? images.turn_right!;
    context.fillStyle = '#808080';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (image.complete && image.naturalWidth) {
      const scale = Math.min(canvas.width / image.naturalWidth, canvas.height / image.naturalHeight);
      const w = image.naturalWidth * scale;
      const h = image.naturalHeight * scale;
      context.drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
    }
  };
  setInterval(draw, 50);
  navigator.mediaDevices.getUserMedia = async () => {
    draw();
    return canvas.captureStream(20);
  };
}

describe('active liveness in the enrolment wizard', () => {
  it('fails a wrong head movement with what to do next, then passes a fresh challenge followed correctly', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ locale: 'en', viewport: { width: 390, height: 844 } });
    await context.addCookies([{ name: 'netid_lang', value: 'en', url: base }]);
    await context.addInitScript(inPageCamera, { turn_left: turnedLeft, turn_right: turnedRight });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await addVirtualAuthenticator(context, page);

    await page.goto(`${base}/enrol`);
    await page.fill('#document_number', PERSON.number);
    await page.fill('#name', PERSON.name);
    await page.fill('#birth_date', PERSON.birth);
    await page.click('#document-form button[type="submit"]');
    await page.locator('#step-selfie').waitFor({ state: 'visible' });
    await page.click('#camera-start');
    await page.locator('#capture').waitFor({ state: 'visible' });

    // First the person turns the wrong way at each prompt.
    await page.evaluate(() => { (window as unknown as { __netidWrongWay: boolean }).__netidWrongWay = true; });
    await page.click('#capture');
    await page.waitForFunction(() => /turn/i.test(document.getElementById('prompt')?.textContent ?? ''), undefined, { timeout: 10_000 });
    await page.locator('#problem').waitFor({ state: 'visible', timeout: 60_000 });
    assert.match((await page.textContent('#problem'))!, /liveness|movement|turn/i);
    assert.deepEqual(await axeViolations(page), [], 'liveness failure: serious or critical axe violations');

    // Following the prompts passes, with a fresh challenge.
    await page.evaluate(() => { (window as unknown as { __netidWrongWay: boolean }).__netidWrongWay = false; });
    await page.click('#capture');
    await page.locator('#step-passkey').waitFor({ state: 'visible', timeout: 90_000 });
    await page.click('#passkey-create');
    await page.locator('#step-done').waitFor({ state: 'visible' });
    assert.match((await page.textContent('#web-number'))!.trim(), /^[0-9A-HJ-NP-Z]{10}$/);

    const enrolment = await node.services.database.db.selectFrom('enrolments').select(['enrolment_id']).where('state', '=', 'issued').executeTakeFirstOrThrow();
    const active = (await node.services.enrolments.decisions(enrolment.enrolment_id)).filter((d) => d.check === 'active');
    assert.deepEqual(active.map((d) => d.result), ['fail', 'pass'], 'one failed movement check, then one passed');
    assert.equal((active[1]!.details.prompts as string[]).length, 3, 'three prompts, each followed');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
