/**
 * Enrolment end to end through the HTTP API, with real photographs and a software passkey, on
 * both databases: a registry identity enrols and receives a web number; the refusals the issue
 * names; minors and their guardian; out-of-order calls; expiry with an injected clock; and a scan
 * showing no image bytes or embeddings remain in the database or the logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { RunningNode } from '../../src/app/app.ts';
import { isValidWebNumber } from '../../src/domain/web-number.ts';
import { documentKey } from '../../src/accounts/person-repository.ts';
import { testDatabases } from '../support/databases.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { b64, Client, documentData, ISSUER, people, prepareRegistry, startTestNode, type Identity, type TestRegistry } from './support.ts';

/** Runs document → face → passkey for an adult; returns the issuing reply. */
async function enrolAdult(client: Client, identity: Identity, selfie: Uint8Array, authenticator: SoftwareAuthenticator) {
  const started = await client.post('/api/v1/enrolments', documentData(identity));
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const id = started.body.id as string;
  const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(selfie)] });
  assert.equal(face.status, 200, JSON.stringify(face.body));
  const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
  assert.equal(options.status, 200, JSON.stringify(options.body));
  const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, authenticator.create(options.body as never));
  return { id, issued };
}

for (const database of testDatabases) {
  describe(`enrolment API on ${database.kind}`, () => {
    let registry: TestRegistry;
    let node: RunningNode;
    let client: Client;
    let guardianDevice: SoftwareAuthenticator;
    const logLines: string[] = [];
    before(async () => {
      registry = await prepareRegistry();
      node = await startTestNode(registry, { databaseUrl: await database.url(), liveness: 'passive', logLines });
      client = new Client(node.publicUrl);
    });
    after(async () => {
      await node?.close();
      registry?.cleanup();
    });

    it('enrols a registry identity: portrait photo A, selfie photo B of the same person, a passkey → a web number', async () => {
      const authenticator = new SoftwareAuthenticator(ISSUER);
      const started = await client.post('/api/v1/enrolments', documentData(people.lina));
      assert.equal(started.status, 201);
      assert.equal(started.body.state, 'document_checked');
      assert.equal(started.body.next_step, 'face');
      assert.equal(started.body.age_group, 'adult');
      const id = started.body.id as string;

      const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
      assert.equal(face.status, 200, JSON.stringify(face.body));
      assert.equal(face.body.state, 'face_verified');
      assert.equal(face.body.next_step, 'passkey');

      const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
      assert.equal(options.body.authenticatorSelection.userVerification, 'required');
      // The passkey provider keeps (and may sync to a cloud account) the user names in the options: never the legal name.
      assert.deepEqual([options.body.user.name, options.body.user.displayName], ['netid', 'netid']);
      assert.ok(!JSON.stringify(options.body).includes(people.lina.name));
      assert.equal(options.body.rp.id, 'localhost');
      const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, authenticator.create(options.body as never));
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.equal(issued.body.state, 'issued');
      assert.ok(isValidWebNumber(issued.body.web_number), issued.body.web_number);
      assert.match(issued.headers.get('set-cookie') ?? '', /^netid_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);

      const view = await client.get(`/api/v1/enrolments/${id}`);
      assert.equal(view.body.state, 'issued');
      assert.equal(view.body.web_number, issued.body.web_number);

      // The decisions name the checks, scores, model and thresholds.
      const decisions = await node.services.enrolments.decisions(id);
      const match = decisions.find((d) => d.check === 'match_registry_portrait')!;
      assert.equal(match.result, 'pass');
      assert.ok((match.details.score as number) >= (match.details.threshold as number));
      assert.match(String(match.details.model), /@/);
      assert.ok(decisions.some((d) => d.check === 'passive' && d.result === 'pass'));
      assert.deepEqual([...new Set(decisions.map((d) => d.step))], ['document', 'liveness', 'face', 'device', 'issuance']);

      // The session works for /me, and the person's activity shows the enrolment and the device.
      client.token = issued.body.session.token;
      const me = await client.get('/api/v1/me');
      assert.equal(me.body.web_number, issued.body.web_number);
      assert.equal(me.body.devices.length, 1);
      const activity = await client.get('/api/v1/me/activity');
      assert.deepEqual(activity.body.entries.map((e: { type: string }) => e.type).sort(), ['device.added', 'enrolment.completed']);
      client.token = null;
    });

    it('is no "is this document enrolled?" oracle: an enrolled document with a wrong name gets the same answer, and the same work, as one that is not enrolled', async () => {
      const enrolled = await client.post('/api/v1/enrolments', { ...documentData(people.lina), name: '王五' });
      const notEnrolled = await client.post('/api/v1/enrolments', { ...documentData(people.zhangwei), name: '王五' });
      for (const reply of [enrolled, notEnrolled]) {
        assert.equal(reply.status, 422);
        assert.equal(reply.body.error, 'enrolment.registry_mismatch');
      }
      const { enrolment_id: a, ...restA } = enrolled.body.detail;
      const { enrolment_id: b, ...restB } = notEnrolled.body.detail;
      assert.deepEqual({ ...enrolled.body, detail: restA }, { ...notEnrolled.body, detail: restB });
      // The same steps ran for both (one failed enrolment, one registry decision each): one timing class.
      const shape = async (id: string) => ({ state: (await client.get(`/api/v1/enrolments/${id}`)).body.state, decisions: (await node.services.enrolments.decisions(id)).map((d) => `${d.step}/${d.check}/${d.result}`) });
      assert.deepEqual(await shape(a), await shape(b));
      assert.deepEqual(await shape(a), { state: 'failed', decisions: ['document/registry/fail'] });
    });

    it('says a document is enrolled already only to its holder, once their face matched, and enrols nothing', async () => {
      const started = await client.post('/api/v1/enrolments', documentData(people.lina));
      assert.equal(started.status, 201, 'matching details alone learn nothing');
      assert.equal(started.body.state, 'document_checked');
      const id = started.body.id as string;
      const stranger = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.childSelfie)] });
      assert.equal(stranger.body.error, 'enrolment.face_mismatch', 'another face learns nothing either');
      const holder = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
      assert.equal(holder.status, 409);
      assert.equal(holder.body.error, 'person.already_enrolled');
      const view = await client.get(`/api/v1/enrolments/${id}`);
      assert.deepEqual([view.body.state, view.body.failure_code], ['failed', 'person.already_enrolled']);
      const key = documentKey(node.services.sealer, people.lina.document_type, people.lina.document_number);
      assert.equal((await node.services.database.db.selectFrom('persons').select('person_id').where('document_key', '=', key).execute()).length, 1);
    });

    it("refuses another person's face, counting the attempt, and records the failed decision", async () => {
      const started = await client.post('/api/v1/enrolments', documentData(people.zhangwei));
      const id = started.body.id as string;
      const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
      assert.equal(face.status, 422);
      assert.equal(face.body.error, 'enrolment.face_mismatch');
      assert.equal(face.body.detail.attempts_left, 4);
      const view = await client.get(`/api/v1/enrolments/${id}`);
      assert.equal(view.body.state, 'document_checked');
      assert.equal(view.body.face_attempts_left, 4);
      const decisions = await node.services.enrolments.decisions(id);
      const match = decisions.find((d) => d.check === 'match_registry_portrait')!;
      assert.equal(match.result, 'fail');
      assert.ok((match.details.score as number) < (match.details.threshold as number));
      await client.call('DELETE', `/api/v1/enrolments/${id}`);
    });

    it('refuses an expired document and a lost one; a wrong name or birth date gets one code that names no field', async () => {
      const expired = await client.post('/api/v1/enrolments', documentData(people.liuyang));
      assert.equal(expired.status, 422);
      assert.equal(expired.body.error, 'document.expired');
      const expiredTyped = await client.post('/api/v1/enrolments', { ...documentData(people.liuyang), expiry_date: people.liuyang.expiry_date });
      assert.equal(expiredTyped.body.error, 'document.expired');
      const lost = await client.post('/api/v1/enrolments', documentData(people.yangmin));
      assert.equal(lost.status, 422);
      assert.equal(lost.body.error, 'enrolment.document_not_valid');
      const wrongName = await client.post('/api/v1/enrolments', { ...documentData(people.zhangwei), name: '张三' });
      const wrongBirth = await client.post('/api/v1/enrolments', { ...documentData(people.huang), birth_date: '1992-06-19' });
      for (const reply of [wrongName, wrongBirth]) {
        assert.equal(reply.status, 422);
        assert.equal(reply.body.error, 'enrolment.registry_mismatch');
        assert.deepEqual(Object.keys(reply.body.detail), ['enrolment_id']);
        assert.equal(reply.body.message, wrongName.body.message);
      }
      const failed = await client.get(`/api/v1/enrolments/${wrongName.body.detail.enrolment_id}`);
      assert.equal(failed.body.state, 'failed');
      assert.equal(failed.body.failure_code, 'enrolment.registry_mismatch');
    });

    it('fails out-of-order calls with their codes and never skips a step', async () => {
      const started = await client.post('/api/v1/enrolments', documentData(people.huang));
      const id = started.body.id as string;
      const early = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
      assert.equal(early.status, 409);
      assert.equal(early.body.error, 'enrolment.wrong_state');
      assert.equal(early.body.detail.state, 'document_checked');
      const issue = await client.post(`/api/v1/enrolments/${id}/issue`);
      assert.equal(issue.body.error, 'enrolment.wrong_state');
      const guardian = await client.post(`/api/v1/enrolments/${id}/guardian/options`);
      assert.equal(guardian.body.error, 'enrolment.wrong_state');
      const unknown = await client.get('/api/v1/enrolments/00000000-0000-4000-8000-000000000000');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error, 'enrolment.not_found');
      const cancelled = await client.call('DELETE', `/api/v1/enrolments/${id}`);
      assert.equal(cancelled.body.state, 'cancelled');
      const afterCancel = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.turnedRight)] });
      assert.equal(afterCancel.body.error, 'enrolment.wrong_state');
      assert.equal(afterCancel.body.detail.state, 'cancelled');
    });

    it('a 12-year-old cannot enrol without their guardian, and can with them; both activity feeds show it', async () => {
      const child = await client.post('/api/v1/enrolments', documentData(people.xiaoming));
      assert.equal(child.body.age_group, 'child');
      const childId = child.body.id as string;
      const face = await client.post(`/api/v1/enrolments/${childId}/face`, { frames: [b64(registry.photos.childSelfie)] });
      assert.equal(face.body.state, 'face_verified', JSON.stringify(face.body));
      assert.equal(face.body.next_step, 'guardian_approval');
      // Without the guardian: no passkey, no web number.
      const noGuardian = await client.post(`/api/v1/enrolments/${childId}/passkey/options`);
      assert.equal(noGuardian.status, 409);
      assert.equal(noGuardian.body.error, 'enrolment.guardian_required');
      // The guardian has not enrolled yet.
      const notEnrolled = await client.post(`/api/v1/enrolments/${childId}/guardian/options`);
      assert.equal(notEnrolled.body.error, 'enrolment.guardian_not_enrolled');

      // Another enrolled adult (lina) cannot approve: her passkey is not the guardian's.
      guardianDevice = new SoftwareAuthenticator(ISSUER);
      const guardian = await enrolAdult(client, people.zhangwei, registry.photos.zhangweiSelfie, guardianDevice);
      assert.equal(guardian.issued.status, 200, JSON.stringify(guardian.issued.body));
      const stranger = new SoftwareAuthenticator(ISSUER);
      const strangerEnrolment = await client.post('/api/v1/enrolments', documentData(people.huang));
      await client.post(`/api/v1/enrolments/${strangerEnrolment.body.id}/face`, { frames: [b64(registry.photos.turnedRight)] });
      const strangerOptions = await client.post(`/api/v1/enrolments/${strangerEnrolment.body.id}/passkey/options`);
      await client.post(`/api/v1/enrolments/${strangerEnrolment.body.id}/passkey`, stranger.create(strangerOptions.body as never));
      const options1 = await client.post(`/api/v1/enrolments/${childId}/guardian/options`);
      const refused = await client.post(`/api/v1/enrolments/${childId}/guardian`, stranger.get({ ...options1.body, allowCredentials: [] } as never));
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error, 'enrolment.guardian_refused');

      // The guardian approves with their passkey; then the child's passkey is bound and issued.
      const options = await client.post(`/api/v1/enrolments/${childId}/guardian/options`);
      assert.equal(options.body.allowCredentials.length, 1);
      const approved = await client.post(`/api/v1/enrolments/${childId}/guardian`, guardianDevice.get(options.body as never));
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.state, 'guardian_approved');
      const childDevice = new SoftwareAuthenticator(ISSUER);
      const passkeyOptions = await client.post(`/api/v1/enrolments/${childId}/passkey/options`);
      const issued = await client.post(`/api/v1/enrolments/${childId}/passkey`, childDevice.create(passkeyOptions.body as never));
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      assert.ok(isValidWebNumber(issued.body.web_number));

      const guardianPersonId = guardian.issued.body.session && (await node.services.persons.findIdByWebNumber(guardian.issued.body.web_number));
      const childPersonId = await node.services.persons.findIdByWebNumber(issued.body.web_number);
      const childPerson = await node.services.persons.find(childPersonId!);
      assert.equal(childPerson!.guardianPersonId, guardianPersonId);
      const childActivity = await node.services.activity.listVisible(childPersonId!, new Date());
      assert.ok(childActivity.some((e) => e.type === 'guardian.linked' && e.details.guardian_person_id === guardianPersonId));
      const guardianActivity = await node.services.activity.listVisible(guardianPersonId!, new Date());
      assert.ok(guardianActivity.some((e) => e.type === 'guardian.enrolled_child' && e.details.child_person_id === childPersonId));
      assert.ok(guardianActivity.some((e) => e.type === 'guardian.child_issued'));
    });

    it("a 16-year-old's enrolment records the guardian's consent before issuance", async () => {
      const minor = await client.post('/api/v1/enrolments', documentData(people.jing));
      assert.equal(minor.body.age_group, 'minor');
      const id = minor.body.id as string;
      await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.childSelfie)] });
      const blocked = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
      assert.equal(blocked.body.error, 'enrolment.guardian_required');
      // The guardian (enrolled in the previous test) consents with their passkey.
      const options = await client.post(`/api/v1/enrolments/${id}/guardian/options`);
      const consented = await client.post(`/api/v1/enrolments/${id}/guardian`, guardianDevice.get(options.body as never));
      assert.equal(consented.body.state, 'guardian_approved', JSON.stringify(consented.body));
      const passkeyOptions = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
      const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, new SoftwareAuthenticator(ISSUER).create(passkeyOptions.body as never));
      assert.equal(issued.status, 200, JSON.stringify(issued.body));
      const decisions = await node.services.enrolments.decisions(id);
      const consent = decisions.findIndex((d) => d.step === 'guardian' && d.result === 'pass' && d.details.kind === 'consent');
      assert.ok(consent >= 0 && consent < decisions.findIndex((d) => d.step === 'issuance'), 'consent is recorded before issuance');
      const minorId = await node.services.persons.findIdByWebNumber(issued.body.web_number);
      const guardianId = await node.services.persons.findIdByDocumentKey(documentKey(node.services.sealer, 'cn_resident_id', people.zhangwei.document_number));
      assert.ok((await node.services.activity.listVisible(minorId!, new Date())).some((e) => e.type === 'guardian.consent_recorded' && e.details.guardian_person_id === guardianId));
      assert.ok((await node.services.activity.listVisible(guardianId!, new Date())).some((e) => e.type === 'guardian.consented' && e.details.child_person_id === minorId));
    });

    it('leaves no image bytes and no embeddings in the database or the logs', async () => {
      const db = node.services.database.db;
      const tables = (await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(db)).rows.map((r) => r.table_name);
      assert.ok(tables.includes('enrolments') && tables.includes('enrolment_decisions'));
      const needles = registry.photos.all.flatMap((bytes) => {
        // A 48-byte slice from inside the image: its base64 and hex appear in any encoding of the image.
        const slice = Buffer.from(bytes.subarray(2000, 2048));
        return [slice.toString('base64'), slice.toString('hex'), slice.toString('base64url')];
      });
      const dump: string[] = [];
      for (const table of tables) {
        if (table === 'registry_records') continue; // the registry itself holds portraits, sealed
        const rows = (await sql.raw(`SELECT * FROM ${table}`).execute(db)).rows as Record<string, unknown>[];
        for (const row of rows) {
          for (const value of Object.values(row)) {
            if (value instanceof Uint8Array) {
              dump.push(Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64'));
              // No column holds something as large as a face image or a float embedding (512 × 4 bytes).
              assert.ok(value.length < 2048 || table === 'signing_keys', `${table} holds ${value.length} bytes`);
            } else dump.push(typeof value === 'string' ? value : JSON.stringify(value));
          }
        }
      }
      const text = dump.join('\n');
      const logs = logLines.join('');
      assert.ok(logs.length > 0, 'the node logged its requests');
      for (const needle of needles) {
        assert.ok(!text.includes(needle), 'image bytes found in the database');
        assert.ok(!logs.includes(needle), 'image bytes found in the logs');
      }
      // No decision carries an embedding-like array.
      const decisions = (await sql<{ details: unknown }>`SELECT details FROM enrolment_decisions`.execute(db)).rows;
      for (const { details } of decisions) {
        for (const value of Object.values(details as Record<string, unknown>)) if (Array.isArray(value)) assert.ok(value.length <= 8);
      }
    });
  });
}

describe('enrolment expiry (injected clock)', () => {
  let registry: TestRegistry;
  let node: RunningNode;
  let now = new Date('2026-11-22T04:00:00Z');
  before(async () => {
    registry = await prepareRegistry();
    node = await startTestNode(registry, { liveness: 'passive', now: () => now });
  });
  after(async () => {
    await node?.close();
    registry?.cleanup();
  });

  it('an enrolment left longer than NETID_ENROLMENT_TTL_MINUTES fails with enrolment.expired', async () => {
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', documentData(people.lina));
    const id = started.body.id as string;
    assert.equal(new Date(started.body.expires_at).getTime() - now.getTime(), 15 * 60_000);
    now = new Date(now.getTime() + 15 * 60_000 + 1);
    const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
    assert.equal(face.status, 410);
    assert.equal(face.body.error, 'enrolment.expired');
    const view = await client.get(`/api/v1/enrolments/${id}`);
    assert.equal(view.body.state, 'expired');
    assert.equal(view.body.next_step, null);
    const row = await node.services.database.db.selectFrom('enrolments').select(['data_sealed']).where('enrolment_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.data_sealed, null, 'the sealed identity data is dropped when the flow ends');
  });
});
