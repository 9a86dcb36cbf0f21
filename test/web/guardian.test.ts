/**
 * A child's enrolment through the pages (SPEC §2: minors need their guardian's approval): the
 * guardian, signed in to the netid app, opens the wizard, enters the child's document, the child
 * takes the selfie in front of the (fake) camera, the guardian approves with their own passkey, the
 * child gets a passkey and a web number. Without the guardian signed in, the guardian box cannot be
 * ticked. zh-CN; axe-core on the guardian step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { RunningNode } from '../../src/app/app.ts';
import { startBrowserRig, type BrowserRig } from './support.ts';
import { addExistingPasskey, axeViolations } from '../support/browser.ts';
import { faces, loadPhoto } from '../face/fixtures.ts';
import { ADULT, enrolPerson } from '../oidc/support.ts';

const GUARDIAN = { ...ADULT, document_number: '110105198207150049', name: '王芳', birth_date: '1982-07-15' };
const CHILD = { number: '110105201405010025', name: '王小雨', birth: '2014-05-01' };

let node: RunningNode;
let browser: Browser;
let base: string;
let rig: BrowserRig;

before(async () => {
  rig = await startBrowserRig({ env: { NETID_LIVENESS_MODE: 'passive' }, cameraPhoto: await loadPhoto(faces.personA[0]) });
  ({ node, base, browser } = rig);
  // The registry names the guardian of the child; the child's portrait is the photo the camera shows another shot of.
  await node.services.embeddedRegistry!.importRecords([{
    documentType: 'cn_resident_id', documentNumber: CHILD.number, name: CHILD.name, birthDate: CHILD.birth, sex: 'F', nationality: 'CHN', expiryDate: '2030-01-01', status: 'valid',
    portrait: await loadPhoto(faces.personA[1]), guardian: { documentType: 'cn_resident_id', documentNumber: GUARDIAN.document_number },
  }]);
});

after(async () => rig?.close());

describe('a child enrols with their guardian', () => {
  it('needs the guardian signed in, then their passkey approval, and gives the child a web number', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));

    // Nobody signed in: the box "I am this child's guardian" cannot be ticked.
    await page.goto(`${base}/enrol`);
    assert.equal(await page.isDisabled('#guardian'), true);

    // The guardian (already enrolled) signs in with their passkey on this phone.
    const guardian = await enrolPerson({ node, issuer: base }, GUARDIAN);
    await addExistingPasskey(context, page, guardian.authenticator.exportCredential());
    await page.goto(`${base}/signin?next=/enrol`);
    await page.click('#signin');
    await page.waitForURL(`${base}/enrol`);
    assert.equal(await page.isDisabled('#guardian'), false);

    await page.fill('#document_number', CHILD.number);
    await page.fill('#name', CHILD.name);
    await page.fill('#birth_date', CHILD.birth);
    await page.check('#guardian');
    await page.click('#document-form button[type="submit"]');
    await page.locator('#step-selfie').waitFor({ state: 'visible' });
    await page.click('#camera-start');
    await page.locator('#capture').waitFor({ state: 'visible' });
    await page.click('#capture');
    await page.locator('#step-guardian').waitFor({ state: 'visible', timeout: 120_000 });
    assert.deepEqual(await axeViolations(page), [], 'guardian step: serious or critical axe violations');
    await page.click('#guardian-approve');
    await page.locator('#step-passkey').waitFor({ state: 'visible' });
    await page.click('#passkey-create');
    await page.locator('#step-done').waitFor({ state: 'visible' });
    const webNumber = (await page.textContent('#web-number'))!.trim();
    assert.match(webNumber, /^[0-9A-HJ-NP-Z]{10}$/);

    // The child is a person of their own; the approval is in the enrolment's decision records.
    const enrolments = await node.services.database.db.selectFrom('enrolments').select(['person_id', 'age_group', 'state', 'guardian_person_id']).where('state', '=', 'issued').execute();
    assert.equal(enrolments.length, 1);
    assert.notEqual(enrolments[0]!.person_id, guardian.personId);
    assert.equal(enrolments[0]!.age_group, 'child', 'a 12-year-old');
    assert.equal(enrolments[0]!.guardian_person_id, guardian.personId);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
