/**
 * Active liveness through the API (a random challenge, one frame per prompt, in order), the
 * attempt limit, and what a person does after issuance: sign in with a passkey, add and remove
 * devices (never the last), deactivate (devices revoked, attributes deleted, tombstone kept, and
 * a later re-enrolment possible).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningNode } from '../../src/app/app.ts';
import { documentKey } from '../../src/accounts/person-repository.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { b64, Client, documentData, ISSUER, people, prepareRegistry, startTestNode, type TestRegistry } from './support.ts';

describe('active liveness through the API', () => {
  let registry: TestRegistry;
  let node: RunningNode;
  before(async () => {
    registry = await prepareRegistry();
    node = await startTestNode(registry, { liveness: 'active', env: { NETID_FACE_MAX_ATTEMPTS: '3' } });
  });
  after(async () => {
    await node?.close();
    registry?.cleanup();
  });

  const framesFor = (prompts: string[]) => prompts.map((p) => b64(p === 'turn_left' ? registry.photos.turnedLeft : registry.photos.turnedRight));

  it('passes when each frame follows its prompt, and a challenge answers one attempt only', async () => {
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', documentData(people.huang));
    const id = started.body.id as string;
    const prompts = started.body.challenge.prompts as string[];
    assert.equal(prompts.length, 3);
    assert.ok(prompts.includes('turn_left') && prompts.includes('turn_right'));
    // Frames in the wrong order (every prompt reversed) fail the movement check.
    const reversed = prompts.map((p) => (p === 'turn_left' ? 'turn_right' : 'turn_left'));
    const wrong = await client.post(`/api/v1/enrolments/${id}/face`, { frames: framesFor(reversed) });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.error, 'enrolment.liveness_failed');
    assert.equal(wrong.body.detail.problem, 'liveness.wrong_movement');
    // The used challenge is gone: a new one must be fetched.
    const reuse = await client.post(`/api/v1/enrolments/${id}/face`, { frames: framesFor(prompts) });
    assert.equal(reuse.body.error, 'enrolment.challenge_required');
    const fresh = await client.get(`/api/v1/enrolments/${id}/face/challenge`);
    const passed = await client.post(`/api/v1/enrolments/${id}/face`, { frames: framesFor(fresh.body.prompts) });
    assert.equal(passed.status, 200, JSON.stringify(passed.body));
    assert.equal(passed.body.state, 'face_verified');
    const decisions = await node.services.enrolments.decisions(id);
    const active = decisions.filter((d) => d.check === 'active');
    assert.deepEqual(active.map((d) => d.result), ['fail', 'pass']);
    assert.deepEqual(active[1]!.details.prompts, fresh.body.prompts);
  });

  it('closes the enrolment after NETID_FACE_MAX_ATTEMPTS failed attempts', async () => {
    const client = new Client(node.publicUrl);
    const started = await client.post('/api/v1/enrolments', documentData(people.lina));
    const id = started.body.id as string;
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const challenge = await client.get(`/api/v1/enrolments/${id}/face/challenge`);
      // lina's enrolment answered with someone else's (correctly turning) face.
      const reply = await client.post(`/api/v1/enrolments/${id}/face`, { frames: framesFor(challenge.body.prompts) });
      codes.push(reply.body.error);
    }
    assert.deepEqual(codes, ['enrolment.face_mismatch', 'enrolment.face_mismatch', 'enrolment.face_attempts_exhausted']);
    const view = await client.get(`/api/v1/enrolments/${id}`);
    assert.equal(view.body.state, 'failed');
    assert.equal(view.body.failure_code, 'enrolment.face_attempts_exhausted');
  });
});

describe('after issuance: sign-in, devices, deactivation', () => {
  let registry: TestRegistry;
  let node: RunningNode;
  before(async () => {
    registry = await prepareRegistry();
    node = await startTestNode(registry, { liveness: 'passive' });
  });
  after(async () => {
    await node?.close();
    registry?.cleanup();
  });

  it('signs in with a passkey, adds and removes devices (never the last), deactivates, and can enrol again', async () => {
    const client = new Client(node.publicUrl);
    const phone = new SoftwareAuthenticator(ISSUER);
    const started = await client.post('/api/v1/enrolments', documentData(people.lina));
    const id = started.body.id as string;
    await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
    const options = await client.post(`/api/v1/enrolments/${id}/passkey/options`);
    const issued = await client.post(`/api/v1/enrolments/${id}/passkey`, phone.create(options.body as never));
    const webNumber = issued.body.web_number as string;

    // Sign in with the passkey.
    const signInOptions = await client.post('/api/v1/session/options');
    const signedIn = await client.post('/api/v1/session', phone.get(signInOptions.body as never));
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    assert.equal(signedIn.body.web_number, webNumber);
    // A challenge is single-use.
    const replay = await client.post('/api/v1/session', phone.get(signInOptions.body as never));
    assert.equal(replay.body.error, 'passkey.challenge_invalid');
    client.token = signedIn.body.session.token;

    // The only device cannot be removed.
    const me = await client.get('/api/v1/me');
    assert.equal(me.body.devices.length, 1);
    const last = await client.call('DELETE', `/api/v1/me/devices/${me.body.devices[0].id}`);
    assert.equal(last.status, 409);
    assert.equal(last.body.error, 'device.last_device');

    // Add a laptop, then remove the phone.
    const laptop = new SoftwareAuthenticator(ISSUER);
    const addOptions = await client.post('/api/v1/me/devices/options');
    assert.equal(addOptions.body.excludeCredentials.length, 1);
    const added = await client.post('/api/v1/me/devices', laptop.create(addOptions.body as never));
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const removed = await client.call('DELETE', `/api/v1/me/devices/${me.body.devices[0].id}`);
    assert.equal(removed.status, 204);
    // The session opened with the phone ended with it; the laptop signs in.
    assert.equal((await client.get('/api/v1/me')).status, 401);
    const phoneOptions = await client.post('/api/v1/session/options');
    assert.equal((await client.post('/api/v1/session', phone.get(phoneOptions.body as never))).body.error, 'passkey.unknown_credential');
    const laptopSignIn = await client.post('/api/v1/session', laptop.get((await client.post('/api/v1/session/options')).body as never));
    client.token = laptopSignIn.body.session.token;
    const types = (await client.get('/api/v1/me/activity')).body.entries.map((e: { type: string }) => e.type);
    assert.deepEqual(types.filter((t: string) => t.startsWith('device.')).sort(), ['device.added', 'device.added', 'device.removed']);

    // Deactivate: devices revoked, attributes deleted, web number retired, tombstone kept.
    const personId = (await node.services.persons.findIdByWebNumber(webNumber))!;
    const deactivated = await client.post('/api/v1/me/deactivate');
    assert.equal(deactivated.status, 200);
    assert.equal(deactivated.body.devices_revoked, 1);
    assert.equal((await client.get('/api/v1/me')).status, 401, 'the session ends with the account');
    const db = node.services.database.db;
    const person = await db.selectFrom('persons').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow();
    assert.equal(person.state, 'deactivated');
    assert.equal(person.attributes_sealed, null);
    assert.equal(person.web_number, null);
    const key = documentKey(node.services.sealer, people.lina.document_type, people.lina.document_number);
    const tombstone = await db.selectFrom('person_document_keys').selectAll().where('document_key', '=', key).executeTakeFirstOrThrow();
    assert.equal(tombstone.state, 'tombstone');
    assert.equal((await db.selectFrom('devices').select('device_id').where('person_id', '=', personId).where('removed_at', 'is', null).execute()).length, 0);
    const entries = await node.services.activity.listVisible(personId, new Date());
    assert.ok(entries.some((e) => e.type === 'account.deactivated'));
    const laptopOptions = await client.post('/api/v1/session/options');
    client.token = null;
    assert.equal((await client.post('/api/v1/session', laptop.get(laptopOptions.body as never))).body.error, 'passkey.unknown_credential');

    // A later re-enrolment of the same document is possible.
    const again = await client.post('/api/v1/enrolments', documentData(people.lina));
    assert.equal(again.status, 201);
  });
});
