/**
 * Sign in with netid, end to end over HTTP with openid-client as the app: pairwise subjects,
 * minimal provision, consent for plaintext identity, registered claims only, suspension,
 * assurance levels, disclosure records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode, type SignInOptions, type TestApp } from './support.ts';
import { relyingPartyRegistryOf } from '../../src/relying-parties/admin-routes.ts';
import type { SoftwareAuthenticator } from '../support/software-authenticator.ts';

async function configFor(t: OidcTestNode, app: TestApp): Promise<client.Configuration> {
  const auth = app.privateKey ? client.PrivateKeyJwt(app.privateKey) : client.ClientSecretBasic(app.clientSecret!);
  return client.discovery(new URL(t.issuer), app.clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
}

interface Flow {
  readonly outcome: Awaited<ReturnType<typeof signIn>>;
  readonly tokens: (client.TokenEndpointResponse & client.TokenEndpointResponseHelpers) | null;
  readonly error: string | null;
}

async function flow(t: OidcTestNode, app: TestApp, authenticator: SoftwareAuthenticator, params: Record<string, string> = {}, options: SignInOptions = {}, browser = new Browser(t.issuer)): Promise<Flow> {
  const config = await configFor(t, app);
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params });
  const outcome = await signIn(browser, url.href, authenticator, options);
  const back = new URL(outcome.url);
  if (back.origin === new URL(t.issuer).origin) return { outcome, tokens: null, error: null };
  if (back.searchParams.get('error')) return { outcome, tokens: null, error: back.searchParams.get('error') };
  const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier, idTokenExpected: true });
  return { outcome, tokens, error: null };
}

describe('sign in with netid', () => {
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  before(async () => {
    t = await startOidcNode();
    person = await enrolPerson(t);
  });
  after(async () => t?.close());

  it('gives apps of different sectors different subs, apps of one sector the same sub', async () => {
    const a1 = await registerApp(t, { sector_identifier: 'tax.example.gov' });
    const a2 = await registerApp(t, { sector_identifier: 'tax.example.gov', token_endpoint_auth_method: 'client_secret_basic' });
    const b = await registerApp(t, { sector_identifier: 'shop.example.com' });
    const subs = [];
    for (const app of [a1, a2, b]) {
      const { tokens } = await flow(t, app, person.authenticator);
      assert.ok(tokens, 'sign-in finished with tokens');
      const claims = tokens.claims()!;
      assert.equal(claims.acr, 'substantial');
      assert.deepEqual(claims.amr, ['hwk', 'user']);
      assert.equal(claims.verified, true);
      assert.equal(claims.web_number, undefined);
      assert.equal(claims.name, undefined);
      subs.push(claims.sub);
      const config = await configFor(t, app);
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(userinfo.sub, claims.sub);
      const introspection = await client.tokenIntrospection(config, tokens.access_token);
      assert.equal(introspection.active, true);
      assert.equal(introspection.sub, claims.sub);
    }
    assert.equal(subs[0], subs[1]);
    assert.notEqual(subs[0], subs[2]);
    assert.notEqual(subs[0], person.personId);
  });
});
