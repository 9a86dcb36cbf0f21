import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { documentKey, type IdentityAttributes } from '../../src/accounts/person-repository.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const attributes: IdentityAttributes = { document_type: 'cn_resident_id', document_number: '11010519491231002X', name: '测试人', birth_date: '1949-12-31', sex: 'F', nationality: 'CHN', expiry_date: '2035-01-01' };

for (const database of testDatabases) {
  describe(`persons on ${database.kind}`, () => {
    let node: NetidNode;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url })), { inMemory: !url, skipLock: true });
    });
    after(() => node.close());

    it('one person per identity document: a second enrolment of the same document is refused', async () => {
      const { persons, sealer } = node.services;
      const key = documentKey(sealer, 'cn_resident_id', '11010519491231002X');
      const person = await persons.create({ documentKey: key, webNumber: 'AAAAAAAAA1', attributes, now: new Date() });
      assert.equal(await persons.findIdByDocumentKey(key), person.personId);
      assert.equal(await persons.findIdByWebNumber('AAAAAAAAA1'), person.personId);
      await assert.rejects(persons.create({ documentKey: key, webNumber: 'AAAAAAAAA2', attributes, now: new Date() }), { code: 'person.already_enrolled' });
      assert.deepEqual(await persons.attributes(person.personId), attributes);
    });

    it('concurrent enrolments of one document: exactly one succeeds', async () => {
      const { persons, sealer } = node.services;
      const key = documentKey(sealer, 'cn_resident_id', '110105199003070132');
      const results = await Promise.allSettled([0, 1, 2, 3].map((i) => persons.create({ documentKey: key, webNumber: `CCCCCCCCC${i}`, attributes, now: new Date() })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'person.already_enrolled');
      const rows = await node.services.database.db.selectFrom('persons').select('person_id').where('document_key', '=', key).execute();
      assert.equal(rows.length, 1, 'no half-written person from the refused attempts');
    });

    it('identity attributes are sealed: no document number or name in the row', async () => {
      const rows = await sql<{ row: string }>`SELECT row_to_json(p)::text AS row FROM persons p`.execute(node.services.database.db);
      const bytes = await node.services.database.db.selectFrom('persons').select('attributes_sealed').execute();
      for (const { row } of rows.rows) {
        assert.ok(!row.includes('11010519491231002X'));
        assert.ok(!row.includes('测试人'));
        assert.ok(!row.includes('1949-12-31'));
      }
      for (const { attributes_sealed } of bytes) assert.ok(!Buffer.from(attributes_sealed!).includes(Buffer.from('11010519491231002X')));
    });

    it('deactivation deletes attributes, retires the web number and keeps a tombstone that allows re-enrolment', async () => {
      const { persons, sealer } = node.services;
      const key = documentKey(sealer, 'cn_passport', 'E12345678');
      const first = await persons.create({ documentKey: key, webNumber: 'DDDDDDDDD1', attributes: { ...attributes, document_type: 'cn_passport', document_number: 'E12345678' }, now: new Date() });
      await persons.deactivate(first.personId, new Date());
      assert.equal((await persons.find(first.personId))?.state, 'deactivated');
      await assert.rejects(persons.attributes(first.personId), { code: 'person.not_active' });
      assert.equal(await persons.findIdByWebNumber('DDDDDDDDD1'), null);
      const tombstone = await node.services.database.db.selectFrom('person_document_keys').selectAll().where('document_key', '=', key).executeTakeFirstOrThrow();
      assert.equal(tombstone.state, 'tombstone');
      const second = await persons.create({ documentKey: key, webNumber: 'DDDDDDDDD2', attributes, now: new Date() });
      assert.notEqual(second.personId, first.personId);
      await assert.rejects(persons.create({ documentKey: key, webNumber: 'DDDDDDDDD3', attributes, now: new Date() }), { code: 'person.already_enrolled' });
    });

    it('activity is recorded per person and deferred entries stay hidden until their time', async () => {
      const { activity } = node.services;
      const personId = '00000000-0000-4000-8000-000000000001';
      const now = new Date();
      await activity.record({ personId, type: 'sign_in', occurredAt: now, details: { claims: ['sub', 'verified'] } });
      await activity.record({ personId, type: 'authority_notice', occurredAt: now, visibleFrom: new Date(now.getTime() + 86_400_000) });
      assert.deepEqual((await activity.listVisible(personId, now)).map((e) => e.type), ['sign_in']);
      assert.deepEqual((await activity.listVisible(personId, new Date(now.getTime() + 2 * 86_400_000))).map((e) => e.type).sort(), ['authority_notice', 'sign_in']);
    });
  });
}
