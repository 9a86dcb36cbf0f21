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

  it('releases the web number only after the person consents on a screen showing the legal basis', async () => {
    const basis = 'Anti-Money Laundering Law art. 29 (customer identification)';
    const app = await registerApp(t, { sector_identifier: 'bank.example', claims: [{ claim: 'web_number', legal_basis: basis }, { claim: 'age_over_18', legal_basis: '' }] });
    const declined = await flow(t, app, person.authenticator, { scope: 'openid web_number age_over_18' }, { consent: 'decline' });
    assert.equal(declined.error, 'access_denied');
    assert.ok(declined.outcome.pages.some((html) => html.includes(basis)), 'the consent page shows the legal basis');
    const agreed = await flow(t, app, person.authenticator, { scope: 'openid web_number age_over_18' }, { consent: 'agree' });
    assert.equal(agreed.tokens!.claims()!.web_number, person.webNumber);
    assert.equal(agreed.tokens!.claims()!.age_over_18, true);
    // Asked again next time (not remembered); age alone needs no screen and carries no web number.
    const again = await flow(t, app, person.authenticator, { scope: 'openid web_number' }, { consent: 'decline' });
    assert.equal(again.error, 'access_denied');
    const ageOnly = await flow(t, app, person.authenticator, { scope: 'openid age_over_18' });
    assert.equal(ageOnly.tokens!.claims()!.web_number, undefined);
    const userinfo = await client.fetchUserInfo(await configFor(t, app), ageOnly.tokens!.access_token, ageOnly.tokens!.claims()!.sub);
    assert.equal(userinfo.web_number, undefined);
    assert.equal(userinfo.age_over_18, true);
    const activity = await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000));
    const released = activity.filter((a) => a.relyingPartyId === app.clientId && a.details.result === 'success').map((a) => a.details.claims as string[]);
    assert.ok(released.some((names) => names.includes('web_number')));
    assert.ok(activity.every((a) => !JSON.stringify(a.details).includes(person.webNumber)), 'records hold claim names, never values');
  });

  it('answers a request for an unregistered claim with an error, not a smaller answer', async () => {
    const app = await registerApp(t, { sector_identifier: 'shop.example.com', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
    const byScope = await flow(t, app, person.authenticator, { scope: 'openid web_number' });
    assert.equal(byScope.error, 'invalid_scope');
    const byClaims = await flow(t, app, person.authenticator, { claims: JSON.stringify({ id_token: { name: null } }) });
    assert.equal(byClaims.error, 'invalid_request');
  });

  it('refuses sign-in and tokens of a suspended app', async () => {
    const app = await registerApp(t, { sector_identifier: 'suspended.example' });
    const before = await flow(t, app, person.authenticator);
    assert.ok(before.tokens);
    await relyingPartyRegistryOf(t.node.services).transition(app.clientId, 'suspend', 'test', 'breach of data duties');
    const after = await flow(t, app, person.authenticator);
    assert.equal(after.tokens, null);
    assert.ok(after.outcome.html?.includes('suspended') || after.outcome.html?.includes('暂停'), 'a clear page says the app is suspended');
    const response = await fetch(`${t.issuer}/oidc/userinfo`, { headers: { authorization: `Bearer ${before.tokens.access_token}` } });
    assert.equal(response.status, 401);
    const pending = await registerApp(t, { approve: false });
    assert.equal((await flow(t, pending, person.authenticator)).tokens, null);
  });

  it('never claims acr=high without a live face match', async () => {
    const app = await registerApp(t, { sector_identifier: 'high.example' });
    const noFace = await flow(t, app, person.authenticator, { acr_values: 'high' });
    assert.equal(noFace.tokens, null);
    assert.equal(noFace.error, 'access_denied');
    const wrongFace = await flow(t, app, person.authenticator, { acr_values: 'high' }, { selfie: new Uint8Array([1, 2, 3]) });
    assert.notEqual(wrongFace.tokens?.claims()?.acr, 'high');
    const noUv = await flow(t, app, person.authenticator, {}, { behaviour: { userVerified: false } });
    assert.equal(noUv.tokens, null, 'substantial needs user verification');
  });
});

