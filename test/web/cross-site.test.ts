/**
 * No cross-site request forgery on the netid app: every route of the public listener that changes
 * something with the session cookie refuses a request that did not come from netid's own pages
 * (Sec-Fetch-Site / Origin), before its body is read, and its JSON routes take the cookie only
 * with a JSON body. The routes
 * are read from the running server, so a new one must be classified here before the suite passes.
 * Bearer-token calls are not cookie-authenticated and need no origin check.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADULT, enrolPerson, startOidcNode, type OidcTestNode } from '../oidc/support.ts';

/** Every POST/DELETE route that authenticates with the session cookie. */
const COOKIE_ROUTES = [
  'POST /signout',
  'POST /settings/deactivate',
  'POST /apps/disconnect',
  'POST /activity/report',
  'POST /scan/:code',
  'POST /scan/:code/options',
  'POST /scan/:code/approve',
  'POST /api/v1/me/devices',
  'POST /api/v1/me/devices/options',
  'POST /api/v1/me/deactivate',
  'POST /api/v1/me/reports',
  'POST /api/v1/me/revocations',
  'POST /api/v1/me/revocations/:id/appeal',
  'POST /api/v1/me/web-certificates',
  'DELETE /api/v1/me/devices/:id',
  'POST /api/v1/me/devices/:id/lost',
  'DELETE /api/v1/me/recovery-notice',
  'POST /recovery-notice/dismiss',
  'DELETE /api/v1/me/apps/:clientId',
  'DELETE /api/v1/session',
];

/** The other POST/DELETE routes, and why no session cookie authenticates them. */
const NOT_COOKIE_ROUTES: Record<string, string> = {
  'POST /settings/language': 'sets only the language cookie; no person is involved',
  'POST /enrol': 'the enrol form without scripts: answers a page, keeps and changes nothing',
  'POST /api/v1/session': 'starts a session from a passkey assertion (JSON schema only)',
  'POST /api/v1/session/options': 'passkey assertion options',
  'POST /api/v1/enrolments': 'an enrolment is anonymous until issuance',
  'POST /api/v1/enrolments/:id/face': 'the enrolment id is the capability',
  'POST /api/v1/enrolments/:id/face/sample-selfie': 'the enrolment id is the capability (development only)',
  'POST /api/v1/enrolments/:id/guardian': 'the guardian proves themselves with a passkey assertion',
  'POST /api/v1/enrolments/:id/guardian/options': 'the enrolment id is the capability',
  'POST /api/v1/enrolments/:id/passkey': 'the enrolment id is the capability',
  'POST /api/v1/enrolments/:id/passkey/options': 'the enrolment id is the capability',
  'POST /api/v1/enrolments/:id/issue': 'the enrolment id is the capability',
  'DELETE /api/v1/enrolments/:id': 'the enrolment id is the capability',
  'POST /api/v1/recoveries': 'a recovery is anonymous until the face matched; it ends with a new session',
  'POST /api/v1/recoveries/:id/face': 'the recovery id is the capability',
  'POST /api/v1/recoveries/:id/guardian': 'the guardian proves themselves with a passkey assertion',
  'POST /api/v1/recoveries/:id/guardian/options': 'the recovery id is the capability',
  'POST /api/v1/recoveries/:id/passkey': 'the recovery id is the capability',
  'POST /api/v1/recoveries/:id/passkey/options': 'the recovery id is the capability',
  'DELETE /api/v1/recoveries/:id': 'the recovery id is the capability',
};

/** oidc-provider's own endpoints and its interactions, authenticated by its own cookies. */
const isOidc = (path: string) => path === '*' || path.startsWith('/oidc/') || path.startsWith('/.well-known/');

/** The routes of a method, read from fastify's route tree (one path per line, children indented by four). */
function routesOf(tree: string, method: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    if (m[3]?.split(', ').includes(method)) routes.push(`${method} ${path}`);
  }
  return routes;
}

const EVIL = 'http://evil.example';

describe('cross-site requests with the session cookie', () => {
  let t: OidcTestNode;
  before(async () => {
    t = await startOidcNode();
  });
  after(async () => t?.close());

  let n = 0;
  /** A person with a passkey, signed in to the netid app: their session token. */
  async function signedIn(): Promise<{ personId: string; token: string }> {
    n += 1;
    const person = await enrolPerson(t, { ...ADULT, document_number: `XS${String(n).padStart(8, '0')}` }, `WXSITE${String(n).padStart(4, '0')}`);
    const { token } = await t.node.services.personSessions.create(person.personId, ['passkey', 'uv']);
    return { personId: person.personId, token };
  }

  /** What the person has stored, to show a refused request changed nothing. */
  async function snapshot(personId: string): Promise<string> {
    const db = t.node.services.database.db;
    const rows = await Promise.all([
      db.selectFrom('persons').selectAll().where('person_id', '=', personId).execute(),
      db.selectFrom('devices').selectAll().where('person_id', '=', personId).execute(),
      db.selectFrom('activity').selectAll().where('person_id', '=', personId).execute(),
      db.selectFrom('person_sessions').select(['session_id', 'device_id', 'expires_at']).where('person_id', '=', personId).execute(),
      db.selectFrom('revocations').selectAll().where('person_id', '=', personId).execute(),
      db.selectFrom('status_entries').selectAll().where('person_id', '=', personId).execute(),
    ]);
    return JSON.stringify(rows);
  }

  const concrete = (path: string) => path.replace(':code', 'nocode').replace(':id', randomUUID()).replace(':clientId', 'no-such-app');
  const send = (route: string, token: string, headers: Record<string, string>, body?: string) => {
    const [method, path] = route.split(' ') as [string, string];
    return fetch(`${t.issuer}${concrete(path)}`, { method, redirect: 'manual', headers: { cookie: `netid_session=${token}`, 'accept-language': 'en', ...headers }, body: method === 'DELETE' ? null : (body ?? '') });
  };

  it('classifies every POST and DELETE route of the public listener: cookie-authenticated, or why not', () => {
    const tree = (method: string) => t.node.publicServer.printRoutes({ commonPrefix: false, method: method as 'POST' });
    const found = [...routesOf(tree('POST'), 'POST'), ...routesOf(tree('DELETE'), 'DELETE')].filter((r) => !isOidc(r.split(' ')[1]!));
    assert.deepEqual(found.sort(), [...COOKIE_ROUTES, ...Object.keys(NOT_COOKIE_ROUTES)].sort());
  });

  it('POST /api/v1/me/deactivate with only the cookie, text/plain, Origin http://evil.example and Sec-Fetch-Site cross-site is refused and the person stays active', async () => {
    const { personId, token } = await signedIn();
    const before = await snapshot(personId);
    const response = await send('POST /api/v1/me/deactivate', token, { 'content-type': 'text/plain', origin: EVIL, 'sec-fetch-site': 'cross-site' }, 'x');
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: string }).error, 'session.cross_origin');
    assert.equal((await t.node.services.persons.find(personId))!.state, 'active');
    assert.equal(await snapshot(personId), before);
  });

  /** Each route gets a body its schema accepts, so only the origin decides: JSON for the scripts' calls, a form for the pages' forms. */
  const isJson = (route: string) => route.includes('/api/') || /\/scan\/:code\/(options|approve)$/.test(route);
  const JSON_BODIES: Record<string, unknown> = {
    'POST /api/v1/me/devices': { id: 'x', rawId: 'x', type: 'public-key', response: {} },
    'POST /api/v1/me/reports': { activity_id: randomUUID(), kind: 'not_me' },
    'POST /api/v1/me/revocations': { reference: 'x' },
    'POST /api/v1/me/revocations/:id/appeal': { statement: 'x' },
    'POST /api/v1/me/web-certificates': { holder_keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
  };
  const bodyFor = (route: string): { type?: string; body?: string } =>
    route.startsWith('DELETE ') ? {} : isJson(route) ? { type: 'application/json', body: JSON.stringify(JSON_BODIES[route] ?? {}) } : { type: 'application/x-www-form-urlencoded', body: 'client_id=x&activity_id=x&kind=not_me&confirm=x&decision=decline' };
  const errorOf = async (response: Response) => (response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { error?: string }).error : undefined);

  for (const route of COOKIE_ROUTES) {
    it(`${route} refuses a cross-site, a same-site (sibling subdomain or port) and a foreign-Origin request with the cookie, changing nothing`, async () => {
      const { personId, token } = await signedIn();
      const before = await snapshot(personId);
      const { type, body } = bodyFor(route);
      const attempts: Record<string, string>[] = [
        { origin: EVIL, 'sec-fetch-site': 'cross-site' },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
        { origin: 'http://app.localhost:9', 'sec-fetch-site': 'same-site' },
        { origin: EVIL },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const headers of attempts) {
        const response = await send(route, token, { ...(type ? { 'content-type': type } : {}), ...headers }, body);
        assert.equal(response.status, 403, `${JSON.stringify(headers)} → ${response.status}`);
        assert.equal(await errorOf(response), 'session.cross_origin');
      }
      // A simple cross-site request (text/plain, what a form or a no-cors fetch can send) is refused too.
      const simple = await send(route, token, { 'content-type': 'text/plain', origin: EVIL, 'sec-fetch-site': 'cross-site' }, 'x');
      assert.equal(simple.status, 403, `text/plain → ${simple.status}`);
      assert.equal(await snapshot(personId), before, 'nothing changed');
      // From netid's own pages the same request gets past the check (whatever the route then answers).
      if (route.includes('deactivate')) return;
      const own = await send(route, token, { ...(type ? { 'content-type': type } : {}), origin: t.issuer, 'sec-fetch-site': 'same-origin' }, body);
      const answer = await errorOf(own);
      assert.ok(!['session.cross_origin', 'request.unsupported_media_type', 'request.unauthenticated'].includes(answer ?? ''), `${route} from netid's pages → ${own.status} ${answer}`);
    });
  }

  it('a JSON route takes the cookie only with a JSON body: any other body, even from netid\'s own origin, answers 415 and changes nothing', async () => {
    const { personId, token } = await signedIn();
    const before = await snapshot(personId);
    for (const route of COOKIE_ROUTES.filter((r) => r.startsWith('POST /api/'))) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await send(route, token, { 'content-type': type, origin: 'null', 'sec-fetch-site': 'same-origin' }, 'a=b');
        assert.equal(response.status, 415, `${route} ${type}`);
        assert.equal(await errorOf(response), 'request.unsupported_media_type');
      }
    }
    assert.equal(await snapshot(personId), before);
  });

  it('a bearer-token call is not cookie-authenticated and needs no origin check', async () => {
    const { token } = await signedIn();
    const response = await fetch(`${t.issuer}/api/v1/me/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: EVIL, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: JSON.stringify({ activity_id: randomUUID(), kind: 'not_me' }) });
    assert.equal(response.status, 404);
  });

  it('a form post from netid\'s own page under the no-referrer policy (Origin: null, Sec-Fetch-Site: same-origin) is accepted', async () => {
    const { token } = await signedIn();
    const response = await send('POST /signout', token, { 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin' });
    assert.equal(response.status, 303);
  });
});
