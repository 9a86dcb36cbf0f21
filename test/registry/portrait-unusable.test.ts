/**
 * Defence in depth for registries imported before portraits were checked at import: a face step
 * against an identity whose registry portrait is a group photograph answers a coded error, never
 * a 500, and costs the person no attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningNode } from '../../src/app/app.ts';
import { mod11_2CheckCharacter } from '../../src/domain/documents/gb11643.ts';
import { Client, b64, prepareRegistry, startTestNode, type TestRegistry } from '../enrolment/support.ts';
import { groupPhoto, loadPhoto } from '../face/fixtures.ts';
import { testDatabases } from '../support/databases.ts';

const person = { document_type: 'cn_resident_id', document_number: '11010519800101001' + mod11_2CheckCharacter('11010519800101001'), name: '王芳', birth_date: '1980-01-01' };

for (const database of testDatabases) {
  describe(`a registry portrait the face step cannot use, on ${database.kind}`, () => {
    let registry: TestRegistry;
    let node: RunningNode;
    let client: Client;
    before(async () => {
      registry = await prepareRegistry();
      node = await startTestNode(registry, { databaseUrl: await database.url(), liveness: 'passive' });
      client = new Client(node.publicUrl);
      // Written straight into the registry, as an import made before portraits were checked did.
      await node.services.embeddedRegistry!.importRecords([{ documentType: person.document_type, documentNumber: person.document_number, name: person.name, birthDate: person.birth_date, sex: 'F', nationality: 'CHN', expiryDate: '2040-01-01', status: 'valid', portrait: await loadPhoto(groupPhoto), guardian: null }]);
    });
    after(async () => {
      await node?.close();
      registry?.cleanup();
    });

    it('answers registry.portrait_unusable (409, both languages), not a 500, and uses up no attempt however often it is tried', async () => {
      const started = await client.post('/api/v1/enrolments', person);
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const id = started.body.id as string;
      const attemptsBefore = (await client.get(`/api/v1/enrolments/${id}`)).body.face_attempts_left;
      assert.equal(typeof attemptsBefore, 'number');
      for (let i = 0; i < attemptsBefore + 1; i++) {
        const face = await client.post(`/api/v1/enrolments/${id}/face`, { frames: [b64(registry.photos.linaSelfie)] });
        assert.equal(face.status, 409, JSON.stringify(face.body));
        assert.equal(face.body.error, 'registry.portrait_unusable');
        assert.match(face.body.message, /No attempt was used/);
      }
      const zh = await fetch(`${node.publicUrl}/api/v1/enrolments/${id}/face`, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' }, body: JSON.stringify({ frames: [b64(registry.photos.linaSelfie)] }) });
      assert.match(((await zh.json()) as { message: string }).message, /未计入核验次数/);
      const view = await client.get(`/api/v1/enrolments/${id}`);
      assert.equal(view.body.state, 'document_checked');
      assert.equal(view.body.face_attempts_left, attemptsBefore);
      const decisions = await node.services.enrolments.decisions(id);
      assert.ok(decisions.some((d) => d.check === 'registry_portrait' && d.result === 'fail' && d.details.reason === 'face.multiple'), 'the operator can see why');
    });
  });
}
