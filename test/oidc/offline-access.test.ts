/**
 * `offline_access` follows OpenID Connect Core §11, as docs/integration.md says: a refresh token
 * only when the request also carries `prompt=consent`; without it the sign-in goes on with the
 * other scopes, and the token response shows what was granted (no refresh token, `scope` without
 * `offline_access`). A stock client (openid-client) drives both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode, type TestApp } from './support.ts';

describe('offline_access', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  let app: TestApp;
  let config: client.Configuration;
  before(async () => {
    t = await startOidcNode();
    person = await enrolPerson(t);
    app = await registerApp(t, { sector_identifier: 'offline.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
    config = await client.discovery(new URL(t.issuer), app.clientId, undefined, client.PrivateKeyJwt(app.privateKey!), { execute: [client.allowInsecureRequests] });
  });
  after(async () => t?.close());

  async function tokens(parameters: Record<string, string>) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...parameters });
    const outcome = await signIn(new Browser(t.issuer), url.href, person.authenticator, { consent: 'agree' });
    assert.ok(outcome.url.startsWith(app.redirectUri), `back at the app: ${outcome.url}`);
    return client.authorizationCodeGrant(config, new URL(outcome.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
  }

  it('without prompt=consent: no refresh token, and the granted scope says so', async () => {
    const granted = await tokens({ scope: 'openid offline_access age_over_18' });
    assert.equal(granted.refresh_token, undefined);
    assert.deepEqual(granted.scope?.split(' ').sort(), ['age_over_18', 'openid']);
    assert.equal(granted.claims()?.sub !== undefined, true, 'the sign-in itself succeeded');
  });

  it('with prompt=consent: a refresh token that works', async () => {
    const granted = await tokens({ scope: 'openid offline_access age_over_18', prompt: 'consent' });
    assert.equal(typeof granted.refresh_token, 'string');
    assert.deepEqual(granted.scope?.split(' ').sort(), ['age_over_18', 'offline_access', 'openid']);
    const refreshed = await client.refreshTokenGrant(config, granted.refresh_token!);
    assert.equal(typeof refreshed.access_token, 'string');
  });
});
