/**
 * The netid app's sessions end when they should, at once, on every node: signing out (API or
 * page), removing the passkey a session was opened with, deactivation; idle and absolute
 * lifetimes, the idle window sliding with use. On both databases, with a second node on the same
 * PostgreSQL server standing in for "every node".
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_SESSIONS_PER_PERSON } from '../../src/accounts/person-session.ts';
import { manualClock } from '../credentials/service-fixture.ts';
import { ADULT, enrolPerson, startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { testDatabases } from '../support/databases.ts';

const IDLE_MINUTES = 30;
const MAX_HOURS = 2;

for (const database of testDatabases) {
  describe(`netid app sessions on ${database.kind}`, () => {
    const clock = manualClock('2026-03-02T08:00:00Z');
    let t: OidcTestNode;
    let url: string | undefined;
    before(async () => {
      url = await database.url();
      t = await startOidcNode({ DATABASE_URL: url, NETID_SESSION_IDLE_MINUTES: String(IDLE_MINUTES), NETID_SESSION_MAX_HOURS: String(MAX_HOURS) }, { now: clock });
    });
    after(async () => t?.close());

    const call = (token: string, method: string, path: string, body?: unknown, base = t.issuer) =>
      fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) });
    const me = async (token: string, base = t.issuer) => (await call(token, 'GET', '/api/v1/me', undefined, base)).status;

    /** Passkey sign-in to the netid app: the session token and the cookie line. */
    async function signIn(authenticator: SoftwareAuthenticator): Promise<{ token: string; cookie: string; body: Record<string, any> }> {
      const options = await (await fetch(`${t.issuer}/api/v1/session/options`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json();
      const response = await fetch(`${t.issuer}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(authenticator.get(options as never)) });
      const body = (await response.json()) as Record<string, any>;
      assert.equal(response.status, 200, JSON.stringify(body));
      return { token: body.session.token, cookie: response.headers.get('set-cookie')!, body };
    }

    it('signing out with DELETE /api/v1/session ends that session at once; the same token no longer reads /api/v1/me', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WSIGNOUT01' }, 'WSIGNOUT01');
      const first = await signIn(person.authenticator);
      const second = await signIn(person.authenticator);
      assert.match(first.cookie, /^netid_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=7200$/);
      assert.equal(first.body.session.idle_timeout_seconds, IDLE_MINUTES * 60);
      assert.equal(first.body.session.expires_at, new Date(clock().getTime() + MAX_HOURS * 3600_000).toISOString());
      assert.equal(await me(first.token), 200);
      assert.equal((await call(first.token, 'DELETE', '/api/v1/session')).status, 204);
      assert.equal(await me(first.token), 401);
      assert.equal(await me(second.token), 200, 'another session of the same person goes on');
    });

    it('signing out from the page (POST /signout with the cookie) ends the session, not only the cookie', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WSIGNOUT02' }, 'WSIGNOUT02');
      const { token } = await signIn(person.authenticator);
      const response = await fetch(`${t.issuer}/signout`, { method: 'POST', redirect: 'manual', headers: { cookie: `netid_session=${token}`, origin: t.issuer, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.equal(response.status, 303);
      assert.match(response.headers.get('set-cookie') ?? '', /^netid_session=; .*Max-Age=0/);
      assert.equal(await me(token), 401);
    });

    it('removing a passkey ends the sessions opened with it at once, and only those', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WREMOVE001' }, 'WREMOVE001');
      const phone = await signIn(person.authenticator);
      const laptop = new SoftwareAuthenticator(t.issuer);
      const options = await (await call(phone.token, 'POST', '/api/v1/me/devices/options', {})).json();
      assert.equal((await call(phone.token, 'POST', '/api/v1/me/devices', laptop.create(options as never))).status, 201);
      const onLaptop = await signIn(laptop);
      const devices = ((await (await call(onLaptop.token, 'GET', '/api/v1/me')).json()) as { devices: { id: string }[] }).devices;
      const phoneDevice = devices[0]!.id;
      assert.equal((await call(onLaptop.token, 'DELETE', `/api/v1/me/devices/${phoneDevice}`)).status, 204);
      assert.equal(await me(phone.token), 401, 'the session opened with the removed passkey ended');
      assert.equal(await me(onLaptop.token), 200, 'the session opened with the other passkey goes on');
    });

    it('deactivation ends every session of the person at once', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WDEACT0001' }, 'WDEACT0001');
      const one = await signIn(person.authenticator);
      const two = await signIn(person.authenticator);
      assert.equal((await call(one.token, 'POST', '/api/v1/me/deactivate', {})).status, 200);
      assert.equal(await me(one.token), 401);
      assert.equal(await me(two.token), 401);
      const rows = await t.node.services.database.db.selectFrom('person_sessions').select('session_id').where('person_id', '=', person.personId).execute();
      assert.equal(rows.length, 0);
    });

    it(`an unused session ends after NETID_SESSION_IDLE_MINUTES; each use slides the window, until NETID_SESSION_MAX_HOURS after sign-in`, async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WIDLE00001' }, 'WIDLE00001');
      const kept = await signIn(person.authenticator);
      const idle = await signIn(person.authenticator);
      // Used every 20 minutes, a session outlives the 30-minute idle window…
      for (let minute = 20; minute < MAX_HOURS * 60; minute += 20) {
        clock.advance(20 * 60);
        assert.equal(await me(kept.token), 200, `in use at minute ${minute}`);
      }
      // …and the one left alone ended long ago.
      assert.equal(await me(idle.token), 401);
      // The absolute end comes however the session is used.
      clock.advance(20 * 60);
      assert.equal(await me(kept.token), 401, 'past NETID_SESSION_MAX_HOURS');
    });

    it('a session left idle for exactly the idle window has ended; one minute less has not', async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WIDLE00002' }, 'WIDLE00002');
      const a = await signIn(person.authenticator);
      clock.advance((IDLE_MINUTES - 1) * 60);
      assert.equal(await me(a.token), 200);
      clock.advance(IDLE_MINUTES * 60);
      assert.equal(await me(a.token), 401);
    });

    it(`a person keeps at most ${MAX_SESSIONS_PER_PERSON} sessions: a new sign-in ends the least recently used`, async () => {
      const person = await enrolPerson(t, { ...ADULT, document_number: 'WBOUND0001' }, 'WBOUND0001');
      const tokens: string[] = [];
      for (let i = 0; i < MAX_SESSIONS_PER_PERSON + 1; i++) {
        tokens.push((await signIn(person.authenticator)).token);
        clock.advance(61);
      }
      const rows = await t.node.services.database.db.selectFrom('person_sessions').select('session_id').where('person_id', '=', person.personId).execute();
      assert.equal(rows.length, MAX_SESSIONS_PER_PERSON);
      assert.equal(await me(tokens[0]!), 401);
      assert.equal(await me(tokens.at(-1)!), 200);
    });

    if (database.kind === 'postgres') {
      it('a session ended on one node is ended on another node of the same database', async () => {
        const other = await startOidcNode({ DATABASE_URL: url, NETID_SESSION_IDLE_MINUTES: String(IDLE_MINUTES), NETID_SESSION_MAX_HOURS: String(MAX_HOURS) }, { now: clock });
        try {
          const person = await enrolPerson(t, { ...ADULT, document_number: 'WNODES0001' }, 'WNODES0001');
          const { token } = await signIn(person.authenticator);
          assert.equal(await me(token, other.issuer), 200, 'the other node accepts the session');
          assert.equal((await call(token, 'DELETE', '/api/v1/session')).status, 204);
          assert.equal(await me(token, other.issuer), 401, 'and sees it end');
        } finally {
          await other.close();
        }
      });
    }
  });
}
