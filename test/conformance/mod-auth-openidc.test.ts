/**
 * Interop with software we did not write: Apache httpd with Debian's mod_auth_openidc protects a
 * page on 127.0.0.1 and signs the person in through netid (discovery, authorization code with
 * PKCE S256, client_secret_basic or private_key_jwt at the token endpoint, ID token validation
 * against netid's JWKS, userinfo). The person's browser is a cookie jar following redirects by hand; the passkey is a
 * software authenticator. The protected page prints the claims Apache received. Runs on PGlite
 * and on the PostgreSQL server; fails (never skips) when apache2 or the module is missing.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pairwiseSubject } from '../../src/oidc/pairwise.ts';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { freePort } from '../support/free-port.ts';
import { NavigatingBrowser, redirectUriFor, startApache, type ApacheServer, type OpenidcClientAuth } from '../support/apache.ts';
import { testDatabases } from '../support/databases.ts';

const SECTOR = 'library.example';

function parseClaims(text: string): Record<string, string> {
  return Object.fromEntries(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** An app as Apache would be registered: a secret, or an RSA key for private_key_jwt (RS256). */
async function apacheApp(t: OidcTestNode, port: number, method: OpenidcClientAuth['method']): Promise<{ clientId: string; auth: OpenidcClientAuth }> {
  const common = { redirect_uris: [redirectUriFor(port)], sector_identifier: SECTOR, claims: [{ claim: 'age_over_18', legal_basis: '' }] };
  if (method === 'client_secret_basic') {
    const app = await registerApp(t, { ...common, token_endpoint_auth_method: 'client_secret_basic' });
    return { clientId: app.clientId, auth: { method, clientSecret: app.clientSecret! } };
  }
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const app = await registerApp(t, { ...common, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] } });
  return {
    clientId: app.clientId,
    auth: { method, kid, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() },
  };
}

for (const database of testDatabases) {
  describe(`Apache mod_auth_openidc signs in through netid (${database.kind})`, () => {
    let t: OidcTestNode;
    let person: Awaited<ReturnType<typeof enrolPerson>>;
    before(async () => {
      t = await startOidcNode({ DATABASE_URL: await database.url() });
      person = await enrolPerson(t);
    });
    after(async () => t?.close());

    for (const method of ['client_secret_basic', 'private_key_jwt'] as const) {
      it(`protects a page and shows it the pairwise sub, acr and verified after a passkey sign-in (${method})`, async () => {
        const port = await freePort();
        const app = await apacheApp(t, port, method);
        const apache = await startApache({ port, client: { issuer: t.issuer, clientId: app.clientId, auth: app.auth, scope: 'openid age_over_18' } });
        try {
          await signInThroughApache(t, apache, person);
        } finally {
          await apache.stop();
        }
      });
    }
  });
}

async function signInThroughApache(t: OidcTestNode, apache: ApacheServer, person: Awaited<ReturnType<typeof enrolPerson>>): Promise<void> {
  const atApache = new NavigatingBrowser(apache.origin);
  const atNetid = new Browser(t.issuer);

  // 1. The protected page sends the browser to netid's authorization endpoint, with PKCE S256.
  const first = await atApache.navigate(apache.protectedUrl);
  assert.equal(first.status, 302, apache.errorLog());
  const authorize = new URL(first.location!);
  assert.equal(`${authorize.origin}${authorize.pathname}`, `${t.issuer}/oidc/auth`);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorize.searchParams.get('redirect_uri'), apache.redirectUri);

  // 2. The person signs in at netid with the passkey; netid sends the browser back to Apache.
  const outcome = await signIn(atNetid, authorize.href, person.authenticator);
  const back = new URL(outcome.url);
  assert.equal(`${back.origin}${back.pathname}`, apache.redirectUri, outcome.html ?? '');
  assert.ok(back.searchParams.get('code'), `no code in ${back.href}`);

  // 3. Apache redeems the code at the token endpoint, validates the ID token against netid's JWKS,
  //    and sends the browser to the page it first asked for.
  const redeemed = await atApache.navigate(back.href);
  assert.equal(redeemed.status, 302, apache.errorLog());
  assert.equal(new URL(redeemed.location!, apache.origin).href, apache.protectedUrl);
  const page = await atApache.navigate(apache.protectedUrl);
  assert.equal(page.status, 200, apache.errorLog());
  const claims = parseClaims(page.body);

  assert.equal(claims.sub, pairwiseSubject(t.node.services.sealer.deriveKey('pairwise'), SECTOR, person.personId));
  assert.notEqual(claims.sub, person.personId);
  assert.equal(claims.acr, 'substantial');
  assert.equal(claims.amr, 'hwk,user');
  assert.equal(claims.verified, '1');
  assert.equal(claims.age_over_18, '1');
  assert.equal(claims.web_number, '', 'no plaintext identity without a registered legal basis and consent');

  // 4. Apache's session cookie now lets the person in without another trip to netid.
  const again = await atApache.navigate(apache.protectedUrl);
  assert.equal(again.status, 200);
  assert.equal(parseClaims(again.body).sub, claims.sub);
}
