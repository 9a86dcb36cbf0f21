/**
 * Interop with a stock client we did not write: openid-client (panva) runs the full flow an
 * app would — PAR + DPoP + private_key_jwt + PKCE S256 — with the person's passkey in a software
 * authenticator; then refresh-token rotation, DPoP-bound userinfo, introspection, RP-initiated
 * logout. Runs on PGlite and on the PostgreSQL server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { testDatabases } from '../support/databases.ts';

for (const database of testDatabases) {
  describe(`openid-client full flow (${database.kind})`, () => {
    let t: OidcTestNode;
    let person: Awaited<ReturnType<typeof enrolPerson>>;
    before(async () => {
      t = await startOidcNode({ DATABASE_URL: await database.url() });
      person = await enrolPerson(t);
    });
    after(async () => t?.close());

    for (const fapi2 of [false, true]) {
      it(`PAR + DPoP + private_key_jwt + PKCE${fapi2 ? ' under the FAPI 2.0 profile' : ''}`, async () => {
        const app = await registerApp(t, { fapi2, sector_identifier: 'interop.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
        const config = await client.discovery(new URL(t.issuer), app.clientId, undefined, client.PrivateKeyJwt(app.privateKey!), { execute: [client.allowInsecureRequests] });
        assert.equal(config.serverMetadata().issuer, t.issuer);
        assert.deepEqual(config.serverMetadata().subject_types_supported, ['pairwise']);
        const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
        const verifier = client.randomPKCECodeVerifier();
        const url = await client.buildAuthorizationUrlWithPAR(config, { redirect_uri: app.redirectUri, scope: 'openid offline_access age_over_18', prompt: 'consent', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }, { DPoP });
        const outcome = await signIn(new Browser(t.issuer), url.href, person.authenticator);
        const tokens = await client.authorizationCodeGrant(config, new URL(outcome.url), { pkceCodeVerifier: verifier, idTokenExpected: true }, undefined, { DPoP });
        assert.equal(tokens.token_type.toLowerCase(), 'dpop');
        const claims = tokens.claims()!;
        assert.equal(claims.acr, 'substantial');
        assert.equal(claims.age_over_18, true);
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP });
        assert.equal(userinfo.sub, claims.sub);
        // Refresh-token rotation: the new refresh token works, the old one no longer does.
        const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
        assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
        const introspection = await client.tokenIntrospection(config, refreshed.access_token);
        assert.equal(introspection.active, true);
        assert.equal(introspection.sub, claims.sub);
        // Reusing a rotated refresh token is refused and revokes the grant (token theft signal).
        await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP }), (error: { cause?: { error?: string } }) => error.cause?.error === 'invalid_grant');
        assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, false);
        const logout = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token! });
        assert.equal(logout.pathname, '/oidc/session/end');
      });
    }
  });
}
