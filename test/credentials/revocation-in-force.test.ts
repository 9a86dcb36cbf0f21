/**
 * A revocation in force takes effect everywhere (docs/accountability.md, "While a revocation is in
 * force"): the person's netid app sessions end; they may sign in to the netid app again to see it
 * and appeal; no web certificate is issued to them (403 credential.revoked, nothing stored) and no
 * app gets a sign-in (access_denied, recorded) or keeps refreshing its tokens — until an appeal is
 * upheld. On both databases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { generateDeviceKeys } from '../../src/credentials/holder/index.ts';
import { testDatabases } from '../support/databases.ts';
import type { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { ADULT, Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode } from '../oidc/support.ts';

for (const database of testDatabases) {
  describe(`a revocation in force on ${database.kind}`, () => {
    let t: OidcTestNode;
    before(async () => {
      t = await startOidcNode({ DATABASE_URL: await database.url() });
    });
    after(async () => t?.close());

    const api = (token: string, method: string, path: string, body?: unknown) =>
      fetch(`${t.issuer}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'accept-language': 'en', ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) });
    const issue = (token: string) => api(token, 'POST', '/api/v1/me/web-certificates', { holder_keys: generateDeviceKeys(2).map((k) => k.publicJwk) });
    const statusEntries = async (personId: string) => (await t.node.services.database.db.selectFrom('status_entries').select(['idx', 'revoked_at']).where('person_id', '=', personId).execute()).length;

    /** Passkey sign-in to the netid app. */
    async function appSession(authenticator: SoftwareAuthenticator): Promise<string> {
      const options = await (await fetch(`${t.issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
      const response = await fetch(`${t.issuer}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(authenticator.get(options as never)) });
      const body = (await response.json()) as { session: { token: string } };
      assert.equal(response.status, 200, JSON.stringify(body));
      return body.session.token;
    }

    /** An operator's proposal approved by a second operator: applied. */
    async function revoke(personId: string): Promise<string> {
      const proposed = await t.node.services.revocation.propose({ personId, reason: 'device_lost', reference: 'counter ticket 7', source: 'operator' }, 'operator-a');
      await t.node.services.revocation.approve(proposed.revocation_id, 'operator-b');
      return proposed.revocation_id;
    }

    it('refuses web certificates with 403 credential.revoked and stores nothing, lets the person sign in to the netid app to see it and appeal, and issues again once the appeal is upheld', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'REVOKED001' }, 'WREVOKED01');
      const before = await appSession(person.authenticator);
      assert.equal((await issue(before)).status, 201);
      const revocationId = await revoke(person.personId);
      assert.equal((await api(before, 'GET', '/api/v1/me')).status, 401, 'the session open at the revocation ended');

      const token = await appSession(person.authenticator);
      const mine = (await (await api(token, 'GET', '/api/v1/me/revocations')).json()) as { credentials: { revoked: boolean; eligibleForIssuance: boolean } };
      assert.deepEqual([mine.credentials.revoked, mine.credentials.eligibleForIssuance], [true, false]);
      const stored = await statusEntries(person.personId);
      const refused = await issue(token);
      assert.equal(refused.status, 403);
      const body = (await refused.json()) as { error: string; message: string };
      assert.equal(body.error, 'credential.revoked');
      assert.match(body.message, /appeal/);
      assert.equal(await statusEntries(person.personId), stored, 'nothing issued');

      const appeal = await api(token, 'POST', `/api/v1/me/revocations/${revocationId}/appeal`, { statement: 'I found my phone.' });
      assert.equal(appeal.status, 201);
      await t.node.services.revocation.answerAppeal(((await appeal.json()) as { appeal_id: string }).appeal_id, 'operator-c', 'uphold', 'Reinstated.');
      assert.equal((await issue(token)).status, 201, 'eligible again after the appeal was upheld');
    });

    it('gives no app a sign-in: the OIDC sign-in ends with access_denied and is recorded, and an app\'s refresh token and access token stop working', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'REVOKED002' }, 'WREVOKED02');
      const app = await registerApp(t, { sector_identifier: 'revoked.example', claims: [{ claim: 'age_over_18', legal_basis: '' }] });
      const config = await client.discovery(new URL(t.issuer), app.clientId, undefined, client.PrivateKeyJwt(app.privateKey!), { execute: [client.allowInsecureRequests] });
      const signInTo = async () => {
        const verifier = client.randomPKCECodeVerifier();
        const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid offline_access age_over_18', prompt: 'consent', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
        return { verifier, outcome: await signIn(new Browser(t.issuer), url.href, person.authenticator, { consent: 'agree' }) };
      };
      const first = await signInTo();
      const tokens = await client.authorizationCodeGrant(config, new URL(first.outcome.url), { pkceCodeVerifier: first.verifier, idTokenExpected: true });
      assert.ok(tokens.refresh_token);

      assert.equal((await client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck)).sub, tokens.claims()!.sub);
      await revoke(person.personId);
      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), { error: 'invalid_grant' });
      await assert.rejects(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));
      const again = await signInTo();
      const redirect = new URL(again.outcome.url);
      assert.equal(redirect.origin + redirect.pathname, app.redirectUri);
      assert.equal(redirect.searchParams.get('error'), 'access_denied');
      const entries = await t.node.services.activity.listVisible(person.personId, new Date());
      const failed = entries.find((e) => e.type === 'oidc.sign_in' && e.details.result === 'failed');
      assert.equal(failed?.details.reason, 'credentials_revoked');
      assert.equal(failed?.relyingPartyId, app.clientId);
    });
  });
}
