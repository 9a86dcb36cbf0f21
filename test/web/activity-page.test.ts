/**
 * The activity page tells a person what happened to them in words, not codes: a revocation shows
 * its reason from the closed list, an appeal's outcome shows the operator's written answer, a
 * block of one app shows the app and the operator's reason — in the page's language, escaped. A
 * sign-in to an app is one entry with the claims released by their labels and the legal basis.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { ADULT, Browser, enrolPerson, personBrowser, registerApp, signIn, startOidcNode, type OidcTestNode, type TestApp } from '../oidc/support.ts';

/** A node of the suite's own with 王芳 enrolled: started before the suite's tests, closed after them. */
function nodeWithAPerson(): { t: OidcTestNode; person: Awaited<ReturnType<typeof enrolPerson>> } {
  const suite = {} as ReturnType<typeof nodeWithAPerson>;
  before(async () => {
    suite.t = await startOidcNode();
    suite.person = await enrolPerson(suite.t, { ...ADULT, document_number: '110105198207150049', name: '王芳' });
  });
  after(async () => suite.t?.close());
  return suite;
}

describe('the activity page explains revocations and appeals', () => {
  const suite = nodeWithAPerson();

  it('shows the reason label, the appeal answer and the blocked app, in zh-CN and English', async () => {
    const { t, person } = suite;
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
    const en = await (await browser.fetch('/activity', { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    assert.match(en, /Device lost/);
    assert.match(en, /Appeal dismissed/);
    assert.match(en, /Access to an app suspended/);
  });
});

describe('a sign-in to an app is one activity entry', () => {
  const suite = nodeWithAPerson();

  const authorizationUrl = (app: TestApp, scope: string) => {
    const url = new URL('/oidc/auth', suite.t.issuer);
    const verifier = randomBytes(32).toString('base64url');
    url.search = new URLSearchParams({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', scope, state: 's', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }).toString();
    return url.href;
  };

  it('carries the claims released by their labels and the legal basis the consent screen showed, in zh-CN and English', async () => {
    const { t, person } = suite;
    const basis = '《反洗钱法》第二十九条（客户身份识别）';
    const app = await registerApp(t, { name: 'Bank of Tests', sector_identifier: 'bank.example', claims: [{ claim: 'web_number', legal_basis: basis }, { claim: 'age_over_18', legal_basis: '' }] });
    const outcome = await signIn(new Browser(t.issuer), authorizationUrl(app, 'openid web_number age_over_18'), person.authenticator, { consent: 'agree' });
    assert.ok(new URL(outcome.url).searchParams.get('code'), 'the sign-in reached the app');

    const entries = (await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000))).filter((e) => e.relyingPartyId === app.clientId);
    assert.equal(entries.length, 1, 'one entry for one sign-in (not one at the passkey and another at consent)');
    assert.equal(entries[0]!.details.result, 'success');
    assert.equal(entries[0]!.details.via, 'passkey', 'how the person signed in, carried over from the login step');
    assert.deepEqual(entries[0]!.details.legal_basis, { web_number: basis });

    const browser = await personBrowser(t, person.authenticator);
    const zh = await (await browser.fetch('/activity')).text();
    const zhEntry = zh.slice(zh.indexOf('Bank of Tests') - 400, zh.indexOf('Bank of Tests') + 1200);
    assert.equal(zh.split('<dd>Bank of Tests</dd>').length - 1, 1, 'the app appears in one entry');
    assert.match(zhEntry, /网号/, 'claims by their labels');
    assert.match(zhEntry, /已满18周岁/);
    assert.doesNotMatch(zhEntry, /web_number|age_over_18/, 'no raw claim names');
    assert.ok(zhEntry.includes(`网号</span>：${basis}`), 'the legal basis per claim, with a full-width colon');
    const apps = await (await browser.fetch('/apps')).text();
    assert.doesNotMatch(apps, /web_number|age_over_18/, 'connected apps by labels too');
    const en = await (await browser.fetch('/activity', { headers: { 'accept-language': 'en' } })).text();
    const enEntry = en.slice(en.indexOf('Bank of Tests') - 400, en.indexOf('Bank of Tests') + 1200);
    assert.match(enEntry, /Legal basis/);
    assert.ok(enEntry.includes(`Web number</span>: ${basis}`), 'the legal basis per claim in English');
  });
});
