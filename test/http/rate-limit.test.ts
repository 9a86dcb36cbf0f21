/**
 * Abuse limits (src/http/rate-limit.ts, docs/integration.md "Limits"): every unauthenticated
 * endpoint that writes and every passkey endpoint is limited per client address, passkey
 * assertions also per credential; past a limit the answer is 429 `request.rate_limited` with
 * Retry-After, in the caller's language, and nothing is stored. Limits hold across nodes that
 * share one PostgreSQL database, and X-Forwarded-For counts only behind a trusted proxy.
 *
 * Regressions pinned (issue 11): each POST /api/v1/session/options stored a row (≈1,400 rows/s
 * from one client); passkey sign-in had no limit (4,800 in 30 s from one address); two nodes with
 * NETID_ENROLMENT_STARTS_PER_MINUTE=6 accepted 12 of 12 starts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { LIMITS, limitedRoutesOf } from '../../src/http/rate-limit.ts';
import { routesOf } from '../../src/http/server.ts';
import { createDatabaseOn, testEnv } from '../support/databases.ts';
import { startPostgresServer } from '../support/postgres-server.ts';

/** Every limit at `max` a minute. */
const limitsAt = (max: number) => Object.fromEntries(Object.values(LIMITS).map((l) => [l.key, String(max)]));

const dirs: string[] = [];
async function start(env: Record<string, string | undefined>): Promise<RunningNode> {
  const dir = mkdtempSync(join(tmpdir(), 'netid-limits-'));
  dirs.push(dir);
  // NETID_EPHEMERAL_STORE: the tests count the passkey challenges stored in ephemeral_state.
  return startNode(loadConfig(testEnv({ NETID_DATA_DIR: dir, NETID_EPHEMERAL_STORE: 'database', ...env })), { inMemory: !env.DATABASE_URL, skipLock: true });
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, body: unknown = {}, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A passkey response naming `credentialId` whose signature is garbage: verification refuses it with 400. */
const bogusAssertion = (credentialId: string) => ({
  id: credentialId,
  rawId: credentialId,
  type: 'public-key',
  response: { clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: 'A'.repeat(50), origin: 'http://localhost:8080' })).toString('base64url'), authenticatorData: 'AAAA', signature: 'AAAA' },
});

async function statuses(count: number, send: () => Promise<Response>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await send();
    await response.arrayBuffer();
    out.push(response.status);
  }
  return out;
}

/**
 * Which unauthenticated routes write is a judgement made once, here, with reasons: a new route
 * that writes must either name its limits or be added below with why it needs none.
 */
const NOT_LIMITED: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\S+ \/admin\/v1\//, 'admin API: the admin token is checked before any handler (src/app/admin-routes.ts)'],
  [/^POST \/console\/(?!api\/)/, "console acts: a console session (SameSite=Strict cookie, same origin) and, for four-eyes acts, the operator's passkey step-up"],
  [/^\S+ \/api\/v1\/me\//, "a signed-in person's session"],
  [/^(POST \/signout|POST \/activity\/report|POST \/apps\/disconnect|POST \/settings\/deactivate|POST \/recovery-notice\/dismiss|POST \/scan\/:code|DELETE \/api\/v1\/session)$/, "a signed-in person's session"],
  [/^POST \/settings\/language$/, 'sets the language cookie; stores nothing'],
  [/^POST \/enrol$/, 'the enrol form posted without scripts: its fields are dropped unread, nothing is stored'],
  [/^POST \/oidc\/interaction\/:uid\/(face|consent)$/, "after this interaction's passkey step: the person is known"],
  [/^\S+ \/\.well-known\/openid-configuration$/, 'the discovery document: read only'],
  [/^POST \/demo-app\/(check|signout)$/, "the demo app's own session (demo data only, refused in production)"],
];

/** GET routes that write (a new scan-to-login code, a new face challenge, a new OIDC interaction, a demo-app login state). */
const WRITING_GETS = ['GET /oidc/interaction/:uid', 'GET /api/v1/enrolments/:id/face/challenge', 'GET /api/v1/recoveries/:id/face/challenge', 'GET /oidc/*', 'GET /demo-app/login'];

describe('abuse limits on one node', () => {
  let node: RunningNode;
  let proxied: RunningNode;
  before(async () => {
    node = await start(limitsAt(3));
    // Behind a reverse proxy on 127.0.0.1: each test request can come "from" its own address.
    // With the demo data, so the demo app's routes are there too.
    proxied = await start({ ...limitsAt(3), NETID_PASSKEY_VERIFICATIONS_PER_CREDENTIAL_PER_MINUTE: '2', NETID_TRUSTED_PROXIES: '127.0.0.1', NETID_DEMO_DATA: 'true' });
  });
  after(async () => {
    await node?.close();
    await proxied?.close();
  });

  const storedChallenges = async (n: RunningNode) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ephemeral_state`.execute(n.services.database.db)).rows[0]!.n;

  it('passkey sign-in options store nothing, and past the limit answer 429 with Retry-After and request.rate_limited in zh-CN and en', async () => {
    const before = await storedChallenges(node);
    const answered = await statuses(3, () => post(`${node.publicUrl}/api/v1/session/options`));
    assert.deepEqual(answered, [200, 200, 200]);
    assert.equal(await storedChallenges(node), before, 'asking for options writes no row');
    const refused = await post(`${node.publicUrl}/api/v1/session/options`, {}, { 'accept-language': 'en' });
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} says when the minute's window ends`);
    const body = (await refused.json()) as { error: string; message: string };
    assert.equal(body.error, 'request.rate_limited');
    assert.match(body.message, /Too many requests/);
    const zh = (await (await post(`${node.publicUrl}/api/v1/session/options`, {}, { 'accept-language': 'zh-CN' })).json()) as { error: string; message: string };
    assert.equal(zh.error, 'request.rate_limited');
    assert.match(zh.message, /请求过于频繁/);
  });

  it('passkey sign-in responses are limited per address whatever they contain: a flood from one address is refused', async () => {
    const answered = await statuses(8, () => post(`${node.publicUrl}/api/v1/session`, bogusAssertion(`cred-${Math.random()}`)));
    assert.deepEqual(answered, [400, 400, 400, 429, 429, 429, 429, 429]);
    // Other limits keep their own budget: the address may still start an enrolment.
    assert.notEqual((await post(`${node.publicUrl}/api/v1/enrolments`, {})).status, 429);
    assert.equal((await fetch(`${node.publicUrl}/healthz`)).status, 200);
  });

  it('assertions naming one passkey are limited per credential, from any number of addresses', async () => {
    const from = (address: string, credential: string) => post(`${proxied.publicUrl}/api/v1/session`, bogusAssertion(credential), { 'x-forwarded-for': address });
    const answered = [];
    for (const address of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4']) answered.push((await from(address, 'target-credential')).status);
    assert.deepEqual(answered, [400, 400, 429, 429], 'the third attempt on the credential is refused, from a new address too');
    assert.equal((await from('198.51.100.5', 'another-credential')).status, 400, 'another credential is not affected');
  });

  it('X-Forwarded-For is ignored unless the connection comes from a trusted proxy', async () => {
    // No trusted proxy: a new X-Forwarded-For on each request does not buy a new budget.
    const direct = await statuses(4, () => post(`${node.publicUrl}/scan/x/options`, {}, { 'x-forwarded-for': `203.0.113.${Math.floor(Math.random() * 250)}` }));
    assert.equal(direct[3], 429);
    // Behind the trusted proxy, the client address is the right-most one the proxy did not add:
    // what a client writes to the left of it changes nothing.
    const spoofing = await statuses(4, () => post(`${proxied.publicUrl}/scan/x/options`, {}, { 'x-forwarded-for': `192.0.2.${Math.floor(Math.random() * 250)}, 203.0.113.77` }));
    assert.equal(spoofing[3], 429);
    assert.notEqual((await post(`${proxied.publicUrl}/scan/x/options`, {}, { 'x-forwarded-for': '203.0.113.78' })).status, 429, 'another client behind the proxy has its own budget');
  });

  it('every route that names a limit answers 429 once its budget is used', async () => {
    const sample: Record<string, string> = { ':id': '00000000-0000-4000-8000-000000000000', ':uid': 'no-such-interaction', ':code': 'no-such-code', ':token': 'no-such-token', '*': 'auth' };
    const urlOf = (route: string) => route.replace(/:\w+|\*/g, (p) => sample[p] ?? 'x');
    let n = 0;
    const checked: string[] = [];
    for (const route of limitedRoutesOf(proxied.publicServer)) {
      if (!['GET', 'POST', 'DELETE'].includes(route.method)) continue;
      const address = `10.1.${Math.floor(n / 250)}.${(n++ % 250) + 1}`;
      const send = () => fetch(`${proxied.publicUrl}${urlOf(route.url)}`, { method: route.method, headers: { 'x-forwarded-for': address, ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) }, ...(route.method === 'GET' ? {} : { body: JSON.stringify(bogusAssertion(`c-${Math.random()}`)) }) });
      const answered = await statuses(4, send);
      assert.deepEqual(answered.slice(0, 3).filter((s) => s === 429), [], `${route.method} ${route.url}: within the limit`);
      assert.equal(answered[3], 429, `${route.method} ${route.url} is limited`);
      checked.push(`${route.method} ${route.url}`);
    }
    // The console's passkey routes, on the admin listener (loopback: one address, so one budget per limit).
    for (const route of limitedRoutesOf(proxied.adminServer)) {
      const answered = await statuses(4, () => post(`${proxied.adminUrl}${urlOf(route.url)}`, bogusAssertion('console-cred')));
      assert.equal(answered[3], 429, `${route.method} ${route.url} is limited`);
      checked.push(`${route.method} ${route.url}`);
    }
    assert.ok(checked.includes('POST /api/v1/session/options') && checked.includes('POST /console/api/signin') && checked.includes('GET /oidc/*'), checked.join('\n'));
  });

  it('every unauthenticated route that writes names a limit; every other write is authenticated, for a stated reason', () => {
    const unclassified: string[] = [];
    for (const app of [proxied.publicServer, proxied.adminServer]) {
      const limited = new Set(limitedRoutesOf(app).map((r) => `${r.method} ${r.url}`));
      for (const route of routesOf(app)) {
        const name = `${route.method} ${route.url}`;
        if (WRITING_GETS.includes(name)) assert.ok(limited.has(name), `${name} writes and must be limited`);
        if (route.method === 'GET' || route.method === 'HEAD' || limited.has(name)) continue;
        if (!NOT_LIMITED.some(([pattern]) => pattern.test(name))) unclassified.push(name);
      }
    }
    assert.deepEqual(unclassified, [], 'routes that write with neither a limit nor a reason to need none');
  });

  it('every limit is a configuration key described in docs/integration.md', () => {
    const doc = readFileSync(new URL('../../docs/integration.md', import.meta.url), 'utf8');
    const at = doc.search(/^## (\d+\. )?Limits$/m);
    assert.ok(at > 0, 'a Limits section');
    const section = doc.slice(at);
    for (const limit of Object.values(LIMITS)) assert.match(section, new RegExp(`\\b${limit.key}\\b`), `${limit.key} in the Limits section`);
    assert.match(section, /NETID_TRUSTED_PROXIES/);
    assert.match(section, /request\.rate_limited/);
  });
  it("does not count apps' back-channel calls to the OpenID provider", async () => {
    const answered = await statuses(6, () => fetch(`${node.publicUrl}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&code=x' }));
    assert.ok(!answered.includes(429), `token endpoint answers ${answered}`);
  });
});


describe('abuse limits on two nodes sharing one PostgreSQL database', () => {
  let server: Awaited<ReturnType<typeof startPostgresServer>> | null = null;
  const nodes: RunningNode[] = [];
  before(async () => {
    let base = process.env.NETID_TEST_DATABASE_URL;
    if (!base) {
      server = await startPostgresServer();
      base = server.url;
    }
    const url = await createDatabaseOn(base);
    for (let i = 0; i < 2; i++) nodes.push(await start({ DATABASE_URL: url, NETID_DEMO_DATA: 'false', NETID_ENROLMENT_STARTS_PER_MINUTE: '6', NETID_PASSKEY_OPTIONS_PER_MINUTE: '6' }));
  });
  after(async () => {
    for (const node of nodes) await node.close();
    server?.stop();
  });

  it('share each limit: 6 enrolment starts a minute on two nodes accepts 6, not 12', async () => {
    const answered = [];
    for (let i = 0; i < 12; i++) {
      const response = await post(`${nodes[i % 2]!.publicUrl}/api/v1/enrolments`, { document_type: 'cn_resident_id', document_number: '11010519491231002X', name: 'WRONG NAME', birth_date: '1949-12-31' });
      answered.push(response.status);
    }
    assert.equal(answered.filter((s) => s !== 429).length, 6, `answers: ${answered}`);
    assert.deepEqual(answered.slice(6), [429, 429, 429, 429, 429, 429]);
  });

  it('share the passkey options limit: the seventh challenge is refused on either node', async () => {
    const answered = await statuses(8, (() => {
      let i = 0;
      return () => post(`${nodes[i++ % 2]!.publicUrl}/api/v1/session/options`);
    })());
    assert.deepEqual(answered, [200, 200, 200, 200, 200, 200, 429, 429]);
    const counters = await sql<{ n: number }>`SELECT count(*)::int AS n FROM rate_limit_counters`.execute(nodes[0]!.services.database.db);
    assert.ok(counters.rows[0]!.n >= 2, 'the counters are rows every node sees');
  });
});
