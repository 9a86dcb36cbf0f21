/**
 * The activity page tells a person what happened to them in words, not codes: a revocation shows
 * its reason from the closed list, an appeal's outcome shows the operator's written answer, a
 * block of one app shows the app and the operator's reason — in the page's language, escaped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADULT, enrolPerson, personBrowser, registerApp, startOidcNode, type OidcTestNode } from '../oidc/support.ts';

describe('the activity page explains revocations and appeals', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  before(async () => {
    t = await startOidcNode();
    person = await enrolPerson(t, { ...ADULT, document_number: '110105198207150049', name: '王芳' });
  });
  after(async () => t?.close());

  it('shows the reason label, the appeal answer and the blocked app, in zh-CN and English', async () => {
    const { revocation } = t.node.services;
    const proposed = await revocation.propose({ personId: person.personId, reason: 'device_lost', reference: 'counter ticket 0042', source: 'operator' }, 'operator-a');
    await revocation.approve(proposed.revocation_id, 'operator-b');
    const appeal = await revocation.lodgeAppeal(person.personId, proposed.revocation_id, 'I still have my phone.');
    const answer = 'Your phone was reported lost by you on 3 May <counter 7>; bring it to a counter to restore access.';
    await revocation.answerAppeal(appeal.appeal_id, 'operator-c', 'dismiss', answer);
    const app = await registerApp(t, { sector_identifier: 'blocked.example' });
    await revocation.blockApp(person.personId, app.clientId, { reason: 'Court order 2026-17', reference: 'case 17' }, 'operator-a');

    const browser = await personBrowser(t, person.authenticator);
    const zh = await (await browser.fetch('/activity')).text();
    assert.match(zh, /设备丢失/, 'the revocation reason in words');
    assert.match(zh, /申诉驳回/);
    assert.ok(zh.includes('Your phone was reported lost by you on 3 May &lt;counter 7&gt;'), 'the answer, escaped');
    assert.match(zh, /应用访问已暂停/);
    assert.match(zh, /Court order 2026-17/);
    const en = await (await browser.fetch('/activity?lang=en')).text();
    assert.match(en, /Device lost/);
    assert.match(en, /Appeal dismissed/);
    assert.match(en, /Access to an app suspended/);
  });
});
