/**
 * A node with NETID_REDIS_URL, over HTTP with openid-client as the app: a complete sign-in keeps
 * every piece of protocol state in Redis and none in the database, rate-limit counters are in
 * Redis too, and while Redis is down requests that need it answer a coded 503 — the OpenID
 * endpoints `temporarily_unavailable`, netid's own `storage.unavailable` — and the node stays up
 * and serves again once Redis is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createClient, type RedisClientType } from '@redis/client';
import * as client from 'openid-client';
import { RedisEphemeralStore } from '../../src/storage/redis-ephemeral-store.ts';
import { Browser, enrolPerson, registerApp, signIn, startOidcNode, type OidcTestNode, type TestApp } from '../oidc/support.ts';
import { startRedisServer, type RedisServer } from '../support/redis-server.ts';
import type { SoftwareAuthenticator } from '../support/software-authenticator.ts';

async function signInToApp(t: OidcTestNode, app: TestApp, authenticator: SoftwareAuthenticator) {
  const config = await client.discovery(new URL(t.issuer), app.clientId, undefined, client.ClientSecretBasic(app.clientSecret!), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirectUri, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
  const outcome = await signIn(new Browser(t.issuer), url.href, authenticator);
  const tokens = await client.authorizationCodeGrant(config, new URL(outcome.url), { pkceCodeVerifier: verifier, idTokenExpected: true });
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
  return { tokens, userinfo };
}

describe('a node keeping its short-lived state in Redis', () => {
  let redis: RedisServer;
  let raw: RedisClientType;
  let t: OidcTestNode;
  let person: Awaited<ReturnType<typeof enrolPerson>>;
  let app: TestApp;
  before(async () => {
    redis = await startRedisServer();
    raw = createClient({ url: redis.url, disableOfflineQueue: true }) as RedisClientType;
    raw.on('error', () => {});
    await raw.connect();
    t = await startOidcNode({ NETID_REDIS_URL: redis.url });
    person = await enrolPerson(t);
    app = await registerApp(t, { token_endpoint_auth_method: 'client_secret_basic' });
  });
  after(async () => {
    await t?.close();
    raw?.destroy();
    redis?.stop();
  });

  const keys = async (pattern: string) => (await raw.keys(pattern)).length;

  it('signs a person in to an app with every piece of protocol state in Redis and none in the database', async () => {
    assert.ok(t.node.services.ephemeral instanceof RedisEphemeralStore);
    const { tokens, userinfo } = await signInToApp(t, app, person.authenticator);
    assert.equal(userinfo.sub, tokens.claims()!.sub);
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ephemeral_state`.execute(t.node.services.database.db);
    assert.equal(rows.rows[0]!.n, 0, 'nothing short-lived in the database');
    // (The interaction is destroyed once the sign-in finished.)
    for (const namespace of ['Session', 'Grant', 'AuthorizationCode', 'AccessToken', 'NetidPersonGrants']) assert.ok((await keys(`netid:e:${namespace}:*`)) >= 1, `${namespace} in Redis`);
    assert.ok((await keys('netid:g:*')) >= 1, 'grant sets in Redis');
    assert.ok((await keys('netid:rl:*')) >= 1, 'rate-limit counters in Redis');
  });

  it('answers a coded 503 while Redis is down, stays up, and signs in again once it is back', async () => {
    redis.stop();
    // An app's back-channel call (not rate-limited): oidc-provider's own error handler answers.
    const basic = Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret!)}`).toString('base64');
    const token = await fetch(`${t.issuer}/oidc/token`, { method: 'POST', headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: 'some-code', redirect_uri: app.redirectUri, code_verifier: 'v'.repeat(43) }) });
    assert.equal(token.status, 503);
    assert.equal(((await token.json()) as { error: string }).error, 'temporarily_unavailable');
    // A browser starting a sign-in: refused where its rate limit is counted (in Redis).
    const authorize = await fetch(`${t.issuer}/oidc/auth?client_id=${encodeURIComponent(app.clientId)}&response_type=code&scope=openid`, { redirect: 'manual' });
    assert.equal(authorize.status, 503);
    assert.equal(((await authorize.json()) as { error: string }).error, 'storage.unavailable');
    const options = await fetch(`${t.issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'en' }, body: '{}' });
    assert.equal(options.status, 503);
    const body = (await options.json()) as { error: string; message: string };
    assert.equal(body.error, 'storage.unavailable');
    assert.match(body.message, /briefly unavailable/);
    const zh = (await (await fetch(`${t.issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' }, body: '{}' })).json()) as { message: string };
    assert.match(zh.message, /暂时不可用/);

    redis = await startRedisServer({ port: redis.port });
    const deadline = Date.now() + 10_000;
    while ((await fetch(`${t.issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status === 503) {
      assert.ok(Date.now() < deadline, 'served again within 10 s of Redis coming back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { userinfo } = await signInToApp(t, app, person.authenticator);
    assert.ok(userinfo.sub);
  });
});
