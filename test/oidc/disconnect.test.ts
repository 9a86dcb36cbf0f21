/**
 * Disconnect (SPEC §3, connected apps): when a person disconnects an app, every grant, access
 * token and refresh token the app holds for that person stops working at once; the person's
 * activity says so; the app is no longer listed as connected; remembered consent is forgotten,
 * so the next sign-in asks again. Other apps and other people keep theirs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { ADULT, Browser, enrolPerson, personBrowser, registerApp, signIn, startOidcNode, type OidcTestNode, type TestApp } from './support.ts';
import type { SoftwareAuthenticator } from '../support/software-authenticator.ts';

async function configFor(t: OidcTestNode, app: TestApp): Promise<client.Configuration> {
  return client.discovery(new URL(t.issuer), app.clientId, undefined, client.PrivateKeyJwt(app.privateKey!), { execute: [client.allowInsecureRequests] });
}

/** A sign-in asking for a refresh token and, when `scope` says so, the plaintext name. */
async function tokensFor(t: OidcTestNode, app: TestApp, authenticator: SoftwareAuthenticator, scope = 'openid offline_access age_over_18', consent: 'agree' | 'agree_remember' = 'agree') {
  const config = await configFor(t, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope, prompt: 'consent', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const outcome = await signIn(new Browser(t.issuer), url.href, authenticator, { consent });
  const tokens = await client.authorizationCodeGrant(config, new URL(outcome.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
  return { config, tokens, pages: outcome.pages };
}

async function refreshWorks(config: client.Configuration, refreshToken: string): Promise<boolean> {
  try {
    await client.refreshTokenGrant(config, refreshToken);
    return true;
  } catch (error) {
    assert.equal((error as { error?: string }).error, 'invalid_grant');
    return false;
  }
}

describe('disconnecting an app', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  let other: Awaited<ReturnType<typeof enrolPerson>>;
  before(async () => {
    // The test's app listens on 127.0.0.1, which a production node refuses to call.
    t = await startOidcNode({ NETID_OUTBOUND_ALLOW_LOOPBACK: 'true' });
    person = await enrolPerson(t);
    other = await enrolPerson(t, { ...ADULT, document_number: '11010519900307013X', name: '李四' });
  });
  after(async () => t?.close());

  it('revokes the app\'s grants, access and refresh tokens for that person only, and records it', async () => {
    const app = await registerApp(t, { sector_identifier: 'disconnect.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
    const otherApp = await registerApp(t, { sector_identifier: 'other.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
    const first = await tokensFor(t, app, person.authenticator);
    const second = await tokensFor(t, app, person.authenticator);
    const keptApp = await tokensFor(t, otherApp, person.authenticator);
    const keptPerson = await tokensFor(t, app, other.authenticator);
    assert.ok(first.tokens.refresh_token && second.tokens.refresh_token);

    const me = await personBrowser(t, person.authenticator);
    const listed = await (await me.fetch('/api/v1/me/apps')).json() as { apps: { client_id: string; claims: string[] }[] };
    assert.deepEqual(listed.apps.map((a) => a.client_id).sort(), [app.clientId, otherApp.clientId].sort());
    assert.ok(listed.apps.find((a) => a.client_id === app.clientId)!.claims.includes('age_over_18'));

    const response = await me.fetch(`/api/v1/me/apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' });
    assert.equal(response.status, 200);

    // Every token of this person at this app is dead: refresh, userinfo, introspection.
    for (const { tokens } of [first, second]) {
      assert.equal(await refreshWorks(first.config, tokens.refresh_token!), false);
      const userinfo = await fetch(`${t.issuer}/oidc/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(userinfo.status, 401);
      assert.equal((await client.tokenIntrospection(first.config, tokens.access_token)).active, false);
    }
    // Another app of the same person, and another person at the same app, keep theirs.
    assert.equal(await refreshWorks(keptApp.config, keptApp.tokens.refresh_token!), true);
    assert.equal(await refreshWorks(keptPerson.config, keptPerson.tokens.refresh_token!), true);

    const after = await (await me.fetch('/api/v1/me/apps')).json() as { apps: { client_id: string }[] };
    assert.deepEqual(after.apps.map((a) => a.client_id), [otherApp.clientId]);
    const activity = await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000));
    const record = activity.find((a) => a.type === 'app.disconnected');
    assert.equal(record?.relyingPartyId, app.clientId);
    assert.equal(record?.details.grants_revoked, 2, 'two sign-ins from two browsers: two grants, both revoked');

    // Disconnecting again, or an app never connected, is a clear 404 and changes nothing.
    const again = await me.fetch(`/api/v1/me/apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
    assert.equal((await again.json() as { error: string }).error, 'request.not_found');
    const count = (await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000))).length;
    assert.equal(count, activity.length);
  });

  it('forgets remembered consent, so the next sign-in asks again for plaintext identity', async () => {
    const app = await registerApp(t, { sector_identifier: 'remember.example', claims: [{ claim: 'name', legal_basis: 'Contract with the person (account holder name)' }] });
    const remembered = await tokensFor(t, app, person.authenticator, 'openid name', 'agree_remember');
    assert.equal(remembered.tokens.claims()!.name, ADULT.name);
    const silent = await tokensFor(t, app, person.authenticator, 'openid name');
    assert.ok(!silent.pages.some((html) => html.includes('/consent"')), 'remembered: no consent screen');

    const me = await personBrowser(t, person.authenticator);
    assert.equal((await me.fetch(`/api/v1/me/apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' })).status, 200);
    const asked = await tokensFor(t, app, person.authenticator, 'openid name');
    assert.ok(asked.pages.some((html) => html.includes('/consent"')), 'after disconnect the consent screen is back');
  });

  it('tells an app that registered for it through back-channel logout: its sub and sid, signed by netid', async () => {
    const received: string[] = [];
    let answer = 200;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        received.push(new URLSearchParams(body).get('logout_token') ?? '');
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel-logout`;
      const app = await registerApp(t, { sector_identifier: 'bcl.example', backchannel_logout_uri: uri, claims: [{ claim: 'age_over_18', legal_basis: '' }] });
      const { config, tokens } = await tokensFor(t, app, person.authenticator);
      const idToken = tokens.claims()!;
      assert.ok(idToken.sid, 'the ID token carries the session id the app will be told about');
      const me = await personBrowser(t, person.authenticator);
      assert.equal((await me.fetch(`/api/v1/me/apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' })).status, 200);

      assert.equal(received.length, 1);
      const { payload } = await jwtVerify(received[0]!, createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!)), { issuer: t.issuer, audience: app.clientId });
      assert.equal(payload.sub, idToken.sub, 'the pairwise sub the app knows');
      assert.equal(payload.sid, idToken.sid);
      assert.ok((payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
      assert.equal(payload.nonce, undefined, 'a logout token never carries a nonce');
      const recorded = (await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000))).find((a) => a.type === 'app.disconnected' && a.relyingPartyId === app.clientId);
      assert.equal(recorded?.details.app_notified, true);

      // An app that does not answer well is still disconnected; the record says it was not told.
      answer = 500;
      await tokensFor(t, app, person.authenticator);
      assert.equal((await me.fetch(`/api/v1/me/apps/${encodeURIComponent(app.clientId)}`, { method: 'DELETE' })).status, 200);
      const second = (await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000))).find((a) => a.type === 'app.disconnected' && a.relyingPartyId === app.clientId);
      assert.equal(second?.details.app_notified, false);
    } finally {
      server.close();
    }
  });

  it('needs the person signed in', async () => {
    const response = await fetch(`${t.issuer}/api/v1/me/apps/anything`, { method: 'DELETE' });
    assert.equal(response.status, 401);
  });
});
