/**
 * Reporting a lost device from another signed-in device (docs/recovery.md), on both databases:
 * the lost device's passkey stops working at once, its sessions end and the web certificates it
 * received are invalid in the published status list; the activity says it was reported lost and
 * from which device. The device the session was opened with cannot be reported lost.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateDeviceKeys } from '../../src/credentials/holder/index.ts';
import { testDatabases } from '../support/databases.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { enrolPerson, startOidcNode, type OidcTestNode } from '../oidc/support.ts';
import { publishedStatus } from './support.ts';

for (const database of testDatabases) {
  describe(`reporting a lost device on ${database.kind}`, () => {
    let t: OidcTestNode;
    before(async () => {
      t = await startOidcNode({ DATABASE_URL: await database.url() });
    });
    after(async () => t?.close());

    const api = async (token: string | null, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${t.issuer}${path}`, { method, headers: { 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, any> };
    };
    const signInWith = async (authenticator: SoftwareAuthenticator) => {
      const options = await api(null, 'POST', '/api/v1/session/options', {});
      return api(null, 'POST', '/api/v1/session', authenticator.get(options.body as never));
    };
    const stored = async (personId: string) => {
      const db = t.node.services.database.db;
      return JSON.stringify(await Promise.all([
        db.selectFrom('devices').selectAll().where('person_id', '=', personId).execute(),
        db.selectFrom('person_sessions').select(['session_id', 'device_id']).where('person_id', '=', personId).execute(),
        db.selectFrom('status_entries').selectAll().where('person_id', '=', personId).execute(),
        db.selectFrom('activity').selectAll().where('person_id', '=', personId).execute(),
      ]));
    };

    it('revokes the lost device at once — passkey, sessions, web certificates — from the person\'s other device, and records it', async () => {
      const person = await enrolPerson(t);
      const phone = person.authenticator;
      const signedIn = await signInWith(phone);
      assert.equal(signedIn.status, 200);
      const token = signedIn.body.session.token as string;
      const [phoneDevice] = (await api(token, 'GET', '/api/v1/me')).body.devices as Array<{ id: string }>;

      // A second device: a tablet with its own passkey, its own session and certificates.
      const tablet = new SoftwareAuthenticator(t.issuer);
      const options = await api(token, 'POST', '/api/v1/me/devices/options', {});
      const added = await api(token, 'POST', '/api/v1/me/devices', tablet.create(options.body as never));
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const tabletToken = (await signInWith(tablet)).body.session.token as string;
      const issued = await api(tabletToken, 'POST', '/api/v1/me/web-certificates', { holder_keys: generateDeviceKeys(2).map((k) => k.publicJwk) });
      assert.equal(issued.status, 201);
      const statuses = (issued.body.credentials as string[]).map((c) => (JSON.parse(Buffer.from(c.split('~')[0]!.split('.')[1]!, 'base64url').toString()) as { status: { status_list: { uri: string; idx: number } } }).status.status_list);
      for (const s of statuses) assert.equal(await publishedStatus(s), 0);

      // The tablet is lost: reported from the phone.
      const reported = await api(token, 'POST', `/api/v1/me/devices/${added.body.id}/lost`, {});
      assert.equal(reported.status, 204, JSON.stringify(reported.body));
      assert.equal((await api(tabletToken, 'GET', '/api/v1/me')).status, 401, "the tablet's session ended");
      const tabletSignIn = await signInWith(tablet);
      assert.deepEqual([tabletSignIn.status, tabletSignIn.body.error], [401, 'passkey.unknown_credential']);
      for (const s of statuses) assert.equal(await publishedStatus(s), 1, 'its certificates are invalid');
      const me = await api(token, 'GET', '/api/v1/me');
      assert.equal(me.status, 200, 'the phone keeps its session');
      assert.deepEqual(me.body.devices.map((d: { id: string }) => d.id), [phoneDevice!.id]);
      const activity = await t.node.services.activity.listVisible(person.personId, new Date(Date.now() + 1000));
      const entry = activity.find((e) => e.type === 'device.reported_lost');
      assert.deepEqual(entry?.details, { device_id: added.body.id, reported_from: phoneDevice!.id });
      assert.ok(activity.some((e) => e.type === 'credential_revoked' && e.details.device_id === added.body.id));
    });

    it('refuses to report the device in hand (device.lost_is_current), an unknown device and a signed-out caller, changing nothing', async () => {
      const person = await enrolPerson(t, { document_type: 'cn_resident_id', document_number: 'LOST000002', name: '王五', birth_date: '1980-01-01', sex: 'M', nationality: 'CHN', expiry_date: '2040-01-01' });
      const token = (await signInWith(person.authenticator)).body.session.token as string;
      const [device] = (await api(token, 'GET', '/api/v1/me')).body.devices as Array<{ id: string }>;
      const before = await stored(person.personId);

      const current = await api(token, 'POST', `/api/v1/me/devices/${device!.id}/lost`, {});
      assert.deepEqual([current.status, current.body.error], [409, 'device.lost_is_current']);
      assert.match(current.body.message, /remove it or sign out/);
      const unknown = await api(token, 'POST', `/api/v1/me/devices/${randomUUID()}/lost`, {});
      assert.deepEqual([unknown.status, unknown.body.error], [404, 'device.not_found']);
      const malformed = await api(token, 'POST', '/api/v1/me/devices/not-a-uuid/lost', {});
      assert.deepEqual([malformed.status, malformed.body.error], [404, 'device.not_found']);
      const anonymous = await api(null, 'POST', `/api/v1/me/devices/${device!.id}/lost`, {});
      assert.equal(anonymous.status, 401);

      assert.equal(await stored(person.personId), before);
      assert.equal((await api(token, 'GET', '/api/v1/me')).status, 200);
    });
  });
}
