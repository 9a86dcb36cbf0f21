/**
 * Scan-to-login over HTTP (the browser test drives the same pages in Chromium): the sign-in page
 * carries a one-time scan URL; the phone, signed in to the netid app, approves or declines; the
 * sign-in page's poll continues with the same rules as a passkey on that screen. Approving takes a
 * fresh user-verified passkey assertion of the signed-in person. Codes are single
 * use, retired when the page is shown again, and useless without the phone's netid session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { ADULT, Browser, enrolPerson, personBrowser, registerApp, startOidcNode, type OidcTestNode, type TestApp } from './support.ts';
import type { AuthenticatorBehaviour, SoftwareAuthenticator } from '../support/software-authenticator.ts';

interface Desktop {
  readonly browser: Browser;
  readonly uid: string;
  readonly scanUrl: string;
  readonly config: client.Configuration;
  readonly verifier: string;
}

/** A browser without the passkey starts a sign-in at the app and lands on the page with the QR code. */
async function startOnDesktop(t: OidcTestNode, app: TestApp): Promise<Desktop> {
  const config = await client.discovery(new URL(t.issuer), app.clientId, undefined, client.PrivateKeyJwt(app.privateKey!), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid age_over_18', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const browser = new Browser(t.issuer);
  const { url: page, response } = await browser.follow(url.href);
  const html = await response.text();
  const scanUrl = /data-scan-url="([^"]+)"/.exec(html)?.[1];
  assert.ok(scanUrl, 'the sign-in page shows a scan code');
  return { browser, uid: /\/interaction\/([^/?#]+)/.exec(page)![1]!, scanUrl, config, verifier };
}

const poll = async (desktop: Desktop) => desktop.browser.postJson(`/oidc/interaction/${desktop.uid}/scan`, {});

/** What the phone's Approve button does: a fresh passkey assertion for this code. */
async function approveOnPhone(phone: Browser, scanUrl: string, authenticator: SoftwareAuthenticator, behaviour?: AuthenticatorBehaviour) {
  const path = new URL(scanUrl).pathname;
  const options = await phone.postJson(`${path}/options`, {});
  if (options.status !== 200) return options;
  return phone.postJson(`${path}/approve`, authenticator.get(options.json as never, behaviour));
}

describe('scan-to-login', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  let app: TestApp;
  before(async () => {
    t = await startOidcNode();
    person = await enrolPerson(t);
    app = await registerApp(t, { sector_identifier: 'scan.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
  });
  after(async () => t?.close());

  it('signs the desktop in once the phone approves, with the phone\'s assurance', async () => {
    const desktop = await startOnDesktop(t, app);
    assert.deepEqual((await poll(desktop)).json, { state: 'pending' });
    const phone = await personBrowser(t, person.authenticator);
    const shown = await phone.fetch(desktop.scanUrl);
    assert.equal(shown.status, 200);
    const page = await shown.text();
    assert.match(page, /age_over_18/, 'the phone shows what the app will receive');
    const approved = await approveOnPhone(phone, desktop.scanUrl, person.authenticator);
    assert.equal(approved.status, 200, JSON.stringify(approved.json));

    const result = await poll(desktop);
    assert.ok(result.json.redirect_to, JSON.stringify(result.json));
    const { url } = await desktop.browser.follow(String(result.json.redirect_to));
    const tokens = await client.authorizationCodeGrant(desktop.config, new URL(url), { pkceCodeVerifier: desktop.verifier, idTokenExpected: true });
    const claims = tokens.claims()!;
    assert.equal(claims.acr, 'substantial');
    assert.equal(claims.age_over_18, true);
    const activity = await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000));
    assert.ok(activity.some((a) => a.relyingPartyId === app.clientId && a.details.via === 'scan' && a.details.result === 'success'));

    // Used once: the phone cannot decide again, and the poll has nothing more to hand out.
    const again = await approveOnPhone(phone, desktop.scanUrl, person.authenticator);
    assert.equal(again.status, 404);
    assert.equal(again.json.error, 'oidc.scan_expired');
  });

  it('needs a fresh, user-verified passkey of the signed-in person to approve; a tap alone or another person\'s passkey does not', async () => {
    const desktop = await startOnDesktop(t, app);
    const phone = await personBrowser(t, person.authenticator);
    const noUv = await approveOnPhone(phone, desktop.scanUrl, person.authenticator, { userVerified: false });
    assert.equal(noUv.status, 401);
    assert.equal(noUv.json.error, 'oidc.passkey_failed');
    const otherPerson = await enrolPerson(t, { ...ADULT, document_number: '11010519900307013X', name: '李四' });
    // Another person's passkey, offered although the options named only this person's.
    const path = new URL(desktop.scanUrl).pathname;
    const options = await phone.postJson(`${path}/options`, {});
    const wrongPerson = await phone.postJson(`${path}/approve`, otherPerson.authenticator.get({ ...(options.json as object), allowCredentials: [] } as never));
    assert.equal(wrongPerson.status, 401);
    const form = await phone.fetch(desktop.scanUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=approve' });
    assert.equal(form.status, 404, 'the form only declines');
    assert.deepEqual((await poll(desktop)).json, { state: 'pending' }, 'nothing was decided');
    assert.equal((await approveOnPhone(phone, desktop.scanUrl, person.authenticator)).status, 200);
  });

  it('ends the sign-in with access_denied when the phone declines', async () => {
    const desktop = await startOnDesktop(t, app);
    const phone = await personBrowser(t, person.authenticator);
    await phone.fetch(desktop.scanUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=decline' });
    const result = await poll(desktop);
    const { url } = await desktop.browser.follow(String(result.json.redirect_to));
    assert.equal(new URL(url).searchParams.get('error'), 'access_denied');
  });

  it('sends a phone without a netid session to sign in first, and back', async () => {
    const desktop = await startOnDesktop(t, app);
    const response = await new Browser(t.issuer).fetch(desktop.scanUrl);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `/signin?next=${encodeURIComponent(new URL(desktop.scanUrl).pathname)}`);
    assert.deepEqual((await poll(desktop)).json, { state: 'pending' }, 'nothing was decided');
  });

  it('retires a code when the sign-in page is shown again, and refuses made-up codes', async () => {
    const desktop = await startOnDesktop(t, app);
    const reloaded = await (await desktop.browser.fetch(`/oidc/interaction/${desktop.uid}`)).text();
    const fresh = /data-scan-url="([^"]+)"/.exec(reloaded)![1]!;
    assert.notEqual(fresh, desktop.scanUrl);
    const phone = await personBrowser(t, person.authenticator);
    assert.equal((await phone.fetch(desktop.scanUrl)).status, 404);
    assert.equal((await phone.fetch(`${t.issuer}/scan/AAAAAAAAAAAAAAAAAAAAAA`)).status, 404);
    assert.equal((await phone.fetch(`${t.issuer}/scan/${'x'.repeat(60)}`)).status, 404);
    assert.equal((await phone.fetch(fresh)).status, 200);
  });

  it('answers a poll for an unknown interaction with a clear error', async () => {
    const response = await new Browser(t.issuer).postJson('/oidc/interaction/nope/scan', {});
    assert.equal(response.status, 400);
    assert.equal(response.json.error, 'oidc.interaction_expired');
  });
});
