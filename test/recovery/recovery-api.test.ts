/**
 * Account recovery end to end through the HTTP API, with real photographs and software passkeys,
 * on both databases (docs/recovery.md): a person enrols, signs in to two apps, loses their
 * passkey and recovers it with their document and live face — keeping their web number and each
 * app's `sub`, while the old passkey, sessions and web certificates stop working and both apps
 * receive a logout token. Refusals answer exactly as enrolment does and change nothing; a
 * document that is not enrolled is said so only after the face matched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { generateDeviceKeys } from '../../src/credentials/holder/index.ts';
import { testDatabases } from '../support/databases.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { b64, documentData, people } from '../enrolment/support.ts';
import { Browser } from '../oidc/support.ts';
import { apiClient, appSignIn, appWithLogout, enrol, finishRecovery, issueCertificates, logoutReceiver, publishedStatus, signInToApp, signInToNetid, snapshot, startRecovery, startRecoveryWorld, type LogoutReceiver, type RecoveryWorld } from './support.ts';

for (const database of testDatabases) {
  describe(`account recovery on ${database.kind}`, () => {
    let world: RecoveryWorld;
    let receiver: LogoutReceiver;
    before(async () => {
      world = await startRecoveryWorld(await database.url());
      receiver = await logoutReceiver();
    });
    after(async () => {
      receiver?.close();
      await world?.close();
    });
    const personIdOf = async (webNumber: string) => (await world.node.services.persons.findIdByWebNumber(webNumber))!;
    /** Lina enrols in the first test and is recovered again in the last. */
    let linaPersonId = '';
    /** Zhangwei enrols in the second test; he is the children's guardian in the registry. */
    let guardianDevice: SoftwareAuthenticator | null = null;

    it('recovers a lost passkey with document and live face: same web number and app identifiers; old passkey, sessions and certificates revoked; both apps logged out; in activity and the log', async () => {
      const { photos } = world.registry;
      const lina = await enrol(world, people.lina, photos.linaSelfie);
      const personId = await personIdOf(lina.webNumber);
      linaPersonId = personId;
      const shop = await appWithLogout(world, receiver, 'shop');
      const bank = await appWithLogout(world, receiver, 'bank');
      // The phone's browser keeps netid's sign-in session (an OpenID Provider cookie) when the phone is lost.
      const lostPhoneBrowser = new Browser(world.issuer);
      const shopBefore = await signInToApp(world, shop, lina.authenticator, lostPhoneBrowser);
      const bankBefore = await signInToApp(world, bank, lina.authenticator);
      assert.notEqual(shopBefore.sub, bankBefore.sub, 'pairwise: each app its own sub');
      // Two bound to the enrolled phone (its session's device), one issued in a session without a device.
      const unboundSession = await world.node.services.personSessions.create(personId, ['passkey']);
      const certificates = [...(await issueCertificates(world, lina.token)), ...(await issueCertificates(world, unboundSession.token)).slice(0, 1)];
      for (const c of certificates) assert.equal(await publishedStatus(c), 0);

      // The phone is lost: a new authenticator, the document and a live face.
      const newPhone = new SoftwareAuthenticator(world.issuer);
      const { id, face } = await startRecovery(world, people.lina, photos.linaSelfie);
      assert.equal(face.status, 200, JSON.stringify(face.body));
      assert.deepEqual([face.body.state, face.body.next_step], ['face_verified', 'passkey']);
      const options = await apiClient(world).post(`/api/v1/recoveries/${id}/passkey/options`);
      assert.deepEqual([options.body.user.name, options.body.user.displayName], ['netid', 'netid'], 'never the legal name');
      assert.equal(Buffer.from(options.body.user.id, 'base64url').toString('hex'), personId.replaceAll('-', ''), "the person's own user handle");
      const recovered = await apiClient(world).post(`/api/v1/recoveries/${id}/passkey`, newPhone.create(options.body as never));
      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      assert.equal(recovered.body.state, 'recovered');
      assert.equal(recovered.body.web_number, lina.webNumber, 'the web number is kept');
      assert.equal(recovered.body.devices_revoked, 1);
      assert.match(recovered.headers.get('set-cookie') ?? '', /^netid_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
      assert.equal((await apiClient(world).get(`/api/v1/recoveries/${id}`)).body.state, 'recovered');

      // The old passkey and the session it opened are refused; the new ones work.
      const oldSignIn = await signInToNetid(world, lina.authenticator);
      assert.equal(oldSignIn.status, 401);
      assert.equal(oldSignIn.body.error, 'passkey.unknown_credential');
      assert.equal((await apiClient(world, lina.token).get('/api/v1/me')).status, 401, 'the old session ended');
      assert.equal((await signInToNetid(world, newPhone)).status, 200);
      const me = await apiClient(world, recovered.body.session.token).get('/api/v1/me');
      assert.equal(me.body.web_number, lina.webNumber);
      assert.equal(me.body.devices.length, 1);

      // Every web certificate issued before is invalid in the published status list.
      for (const c of certificates) assert.equal(await publishedStatus(c), 1);

      // Both apps were told, each with the pairwise sub it knows, signed by netid.
      const jwks = createRemoteJWKSet(new URL(`${world.issuer}/oidc/jwks`));
      for (const [path, app, before] of [['/shop', shop, shopBefore], ['/bank', bank, bankBefore]] as const) {
        const tokens = receiver.received.get(path) ?? [];
        assert.equal(tokens.length, 1, `${path} received one logout token`);
        const { payload } = await jwtVerify(tokens[0]!, jwks, { issuer: world.issuer, audience: app.clientId });
        assert.equal(payload.sub, before.sub);
        assert.equal(payload.sid, before.sid);
        assert.ok((payload.events as Record<string, unknown>)['http://schemas.openid.net/event/backchannel-logout']);
      }
      // The lost phone's browser signs in to no app on its old sign-in session: it is asked for a passkey, and its passkey is refused.
      const fromLostPhone = await appSignIn(world, bank, lina.authenticator, lostPhoneBrowser);
      assert.equal(new URL(fromLostPhone.outcome.url).origin, world.issuer, 'no code reached the app');
      assert.ok(fromLostPhone.outcome.pages[0]!.includes('id="passkey"'), 'the sign-in page asks for a passkey again');
      assert.match(fromLostPhone.outcome.html ?? '', /passkey\.unknown_credential/);
      // And the next sign-in finds the same person at each app.
      assert.equal((await signInToApp(world, shop, newPhone)).sub, shopBefore.sub);
      assert.equal((await signInToApp(world, bank, newPhone)).sub, bankBefore.sub);

      // The person's activity and the transparency log show the recovery.
      const activity = await world.node.services.activity.listVisible(personId, new Date(Date.now() + 1000));
      const entry = activity.find((e) => e.type === 'account.recovered');
      assert.equal(entry?.details.recovery_id, id);
      assert.equal(entry?.details.devices_revoked, 1);
      assert.ok(activity.some((e) => e.type === 'enrolment.completed'), 'the history is kept');
      const activityPage = await (await fetch(`${world.issuer}/activity`, { headers: { cookie: `netid_session=${recovered.body.session.token}`, 'accept-language': 'en' } })).text();
      assert.match(activityPage, /data-type="account\.recovered"[^]*?Account recovered: new passkey, earlier ones revoked/);
      const own = await world.node.services.transparency.ownEntries(personId);
      const logged = own.entries.filter((e) => e.event.type === 'account.recovered');
      assert.equal(logged.length, 1);
      assert.equal(logged[0]!.event.ref, id);
      assert.equal(logged[0]!.event.actor, 'person');

      // The notice "your account was recovered on … — was this you?" stays until dismissed.
      const session = apiClient(world, recovered.body.session.token);
      assert.equal(me.body.recovery_notice.recovery_id, id);
      assert.ok(Date.parse(me.body.recovery_notice.recovered_at) > 0);
      const later = apiClient(world, (await signInToNetid(world, newPhone)).body.session.token);
      assert.equal((await later.get('/api/v1/me')).body.recovery_notice.recovery_id, id, 'seen again at the next sign-in');
      assert.equal((await session.call('DELETE', '/api/v1/me/recovery-notice')).status, 204);
      assert.equal((await later.get('/api/v1/me')).body.recovery_notice, null);
      const again = await session.call('DELETE', '/api/v1/me/recovery-notice');
      assert.deepEqual([again.status, again.body.error], [404, 'recovery.notice_not_found']);
    });

    it('answers a wrong name, an expired document and an impostor\'s face with exactly the enrolment\'s codes and messages, and changes nothing', async () => {
      const { photos } = world.registry;
      const zhangwei = await enrol(world, people.zhangwei, photos.zhangweiSelfie);
      guardianDevice = zhangwei.authenticator;
      const personId = await personIdOf(zhangwei.webNumber);
      const before = await snapshot(world, personId);
      const answer = (r: { status: number; body: Record<string, unknown> }) => ({ status: r.status, error: r.body.error, message: r.body.message });
      const both = async (path: 'enrolments' | 'recoveries', body: Record<string, string>) => apiClient(world).post(`/api/v1/${path}`, body);

      const wrongName = { ...documentData(people.zhangwei), name: '张卫' };
      const expired = documentData(people.liuyang);
      for (const [label, body, code] of [['wrong name', wrongName, 'enrolment.registry_mismatch'], ['expired document', expired, 'document.expired']] as const) {
        const enrolment = await both('enrolments', body);
        const recovery = await both('recoveries', body);
        assert.equal(recovery.body.error, code, label);
        assert.deepEqual(answer(recovery), answer(enrolment), label);
        assert.deepEqual(Object.keys(recovery.body.detail ?? {}), Object.keys(enrolment.body.detail ?? {}), label);
      }

      // Someone else's face on the holder's document: the same refusal, the attempt counted.
      const enrolment = await both('enrolments', documentData(people.zhangwei));
      const recovery = await both('recoveries', documentData(people.zhangwei));
      const enrolmentFace = await apiClient(world).post(`/api/v1/enrolments/${enrolment.body.id}/face`, { frames: [b64(photos.stranger)] });
      const recoveryFace = await apiClient(world).post(`/api/v1/recoveries/${recovery.body.id}/face`, { frames: [b64(photos.stranger)] });
      assert.equal(recoveryFace.body.error, 'enrolment.face_mismatch');
      assert.deepEqual(answer(recoveryFace), answer(enrolmentFace));
      assert.equal(recoveryFace.body.detail.attempts_left, enrolmentFace.body.detail.attempts_left);
      const decisions = await world.node.services.enrolments.db.selectFrom('enrolment_decisions').select(['check_name', 'result']).where('enrolment_id', '=', recovery.body.id).execute();
      assert.ok(decisions.some((d) => d.check_name === 'match_registry_portrait' && d.result === 'fail'), 'the decision is recorded as at enrolment');
      // A recovery id is no enrolment, and the other way round.
      assert.equal((await apiClient(world).get(`/api/v1/enrolments/${recovery.body.id}`)).status, 404);
      assert.equal((await apiClient(world).get(`/api/v1/recoveries/${enrolment.body.id}`)).status, 404);

      assert.equal(await snapshot(world, personId), before, 'nothing of the person changed');
      assert.equal((await signInToNetid(world, zhangwei.authenticator)).status, 200, 'the passkey still works');
    });

    it('a 12-year-old recovers only with the guardian\'s passkey approval, and keeps the guardian link', async () => {
      const { photos } = world.registry;
      assert.ok(guardianDevice, 'the guardian enrolled in the previous test');
      const client = apiClient(world);
      // The child enrols (with the guardian), then loses the passkey.
      const enrolment = await client.post('/api/v1/enrolments', documentData(people.xiaoming));
      await client.post(`/api/v1/enrolments/${enrolment.body.id}/face`, { frames: [b64(photos.childSelfie)] });
      await client.post(`/api/v1/enrolments/${enrolment.body.id}/guardian`, guardianDevice.get((await client.post(`/api/v1/enrolments/${enrolment.body.id}/guardian/options`)).body as never));
      const childPhone = new SoftwareAuthenticator(world.issuer);
      const issued = await client.post(`/api/v1/enrolments/${enrolment.body.id}/passkey`, childPhone.create((await client.post(`/api/v1/enrolments/${enrolment.body.id}/passkey/options`)).body as never));
      assert.equal(issued.status, 200, JSON.stringify(issued.body));

      const { id, face } = await startRecovery(world, people.xiaoming, photos.childSelfie);
      assert.deepEqual([face.status, face.body.age_group, face.body.next_step], [200, 'child', 'guardian_approval']);
      const early = await client.post(`/api/v1/recoveries/${id}/passkey/options`);
      assert.deepEqual([early.status, early.body.error], [409, 'enrolment.guardian_required']);
      const options = await client.post(`/api/v1/recoveries/${id}/guardian/options`);
      const approved = await client.post(`/api/v1/recoveries/${id}/guardian`, guardianDevice.get(options.body as never));
      assert.deepEqual([approved.status, approved.body.state, approved.body.next_step], [200, 'guardian_approved', 'passkey']);
      const recovered = await finishRecovery(world, id, new SoftwareAuthenticator(world.issuer));
      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      assert.equal(recovered.body.web_number, issued.body.web_number);
      const me = await apiClient(world, recovered.body.session.token).get('/api/v1/me');
      assert.equal(me.body.guardian_linked, true);
      assert.equal((await signInToNetid(world, childPhone)).status, 401, "the child's old passkey is refused");
      const guardianId = await personIdOf((await apiClient(world, (await signInToNetid(world, guardianDevice)).body.session.token).get('/api/v1/me')).body.web_number);
      const guardianActivity = await world.node.services.activity.listVisible(guardianId, new Date(Date.now() + 1000));
      assert.equal(guardianActivity.find((e) => e.type === 'guardian.approved_recovery')?.details.enrolment_id, id, "in the guardian's activity");
      const childActivity = await world.node.services.activity.listVisible(await personIdOf(issued.body.web_number), new Date(Date.now() + 1000));
      assert.equal(childActivity.find((e) => e.type === 'account.recovered')?.details.guardian_approved, true);
    });

    it('says a document is not enrolled only after its holder\'s face matched — "enrol instead" — and recovers nothing', async () => {
      const { photos } = world.registry;
      // The same first answer as for an enrolled document: nothing tells them apart before the face.
      const started = await apiClient(world).post('/api/v1/recoveries', documentData(people.huang));
      assert.equal(started.status, 201);
      assert.deepEqual([started.body.state, started.body.next_step], ['document_checked', 'face']);
      const wrong = await apiClient(world).post('/api/v1/recoveries', { ...documentData(people.huang), name: '黄志' });
      const wrongEnrolled = await apiClient(world).post('/api/v1/recoveries', { ...documentData(people.zhangwei), name: '张卫' });
      assert.deepEqual([wrong.status, wrong.body.error, wrong.body.message], [wrongEnrolled.status, wrongEnrolled.body.error, wrongEnrolled.body.message]);

      const face = await apiClient(world).post(`/api/v1/recoveries/${started.body.id}/face`, { frames: [b64(photos.zhangweiSelfie)] });
      assert.equal(face.status, 409, JSON.stringify(face.body));
      assert.equal(face.body.error, 'recovery.not_enrolled');
      assert.match(face.body.message, /enrol instead/);
      const view = await apiClient(world).get(`/api/v1/recoveries/${started.body.id}`);
      assert.deepEqual([view.body.state, view.body.failure_code], ['failed', 'recovery.not_enrolled']);
      const options = await apiClient(world).post(`/api/v1/recoveries/${started.body.id}/passkey/options`);
      assert.deepEqual([options.status, options.body.error], [409, 'enrolment.wrong_state']);
    });

    it('describes every recovery route in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${world.issuer}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
      for (const route of ['POST /api/v1/recoveries', 'GET /api/v1/recoveries/{id}', 'DELETE /api/v1/recoveries/{id}', 'GET /api/v1/recoveries/{id}/face/challenge', 'POST /api/v1/recoveries/{id}/face', 'POST /api/v1/recoveries/{id}/guardian/options', 'POST /api/v1/recoveries/{id}/guardian', 'POST /api/v1/recoveries/{id}/passkey/options', 'POST /api/v1/recoveries/{id}/passkey', 'DELETE /api/v1/me/recovery-notice', 'POST /api/v1/me/devices/{id}/lost']) {
        assert.ok(routes.includes(route), `${route} in /api/openapi.json`);
      }
    });

    it('keeps a revocation in force: the person gets new passkeys but still no web certificate', async () => {
      const { photos } = world.registry;
      const personId = linaPersonId;
      assert.ok(personId, 'lina enrolled in the first test');
      const proposed = await world.node.services.revocation.propose({ personId, reason: 'device_lost', reference: 'counter ticket 9', source: 'operator' }, 'operator-a');
      await world.node.services.revocation.approve(proposed.revocation_id, 'operator-b');

      const { id, face } = await startRecovery(world, people.lina, photos.linaSelfie);
      assert.equal(face.status, 200, JSON.stringify(face.body));
      const recovered = await finishRecovery(world, id, new SoftwareAuthenticator(world.issuer));
      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      const issued = await apiClient(world, recovered.body.session.token).post('/api/v1/me/web-certificates', { holder_keys: generateDeviceKeys(1).map((k) => k.publicJwk) });
      assert.deepEqual([issued.status, issued.body.error], [403, 'credential.revoked'], 'the revocation stays in force');
      const mine = await apiClient(world, recovered.body.session.token).get('/api/v1/me/revocations');
      assert.equal(mine.body.credentials.revoked, true);

      // The home page shows the notice, in the person's language, until "Yes, it was me".
      const page = (lang: string) => fetch(`${world.issuer}/`, { headers: { cookie: `netid_session=${recovered.body.session.token}`, 'accept-language': lang } }).then((r) => r.text());
      assert.match(await page('en'), /id="recovery-notice"[^]*Your account was recovered on [^]*Was this you\?/);
      assert.match(await page('zh-CN'), /id="recovery-notice"[^]*您的账户已于/);
      const dismissed = await fetch(`${world.issuer}/recovery-notice/dismiss`, { method: 'POST', redirect: 'manual', headers: { cookie: `netid_session=${recovered.body.session.token}`, origin: world.issuer, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      assert.deepEqual([dismissed.status, dismissed.headers.get('location')], [303, '/']);
      assert.doesNotMatch(await page('en'), /recovery-notice"/);
      assert.equal((await apiClient(world, recovered.body.session.token).get('/api/v1/me')).body.recovery_notice, null);
    });
  });
}
