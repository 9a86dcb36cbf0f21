/**
 * The SQL status allocator on both databases: indexes are distinct, random within the open list,
 * a full list closes and the next opens, and concurrent batches never share an index.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SqlStatusAllocator } from '../../src/credentials/service/index.ts';
import { testDatabases, testEnv } from '../support/databases.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

for (const database of testDatabases) {
  describe(`SQL status allocator on ${database.kind}`, () => {
    let node: NetidNode;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: mkdtempSync(join(tmpdir(), 'netid-alloc-')) })), { inMemory: !url, skipLock: true });
    });
    after(async () => node?.close());

    const allocator = (personId: string, listSize: number) =>
      new SqlStatusAllocator({ db: node.services.database.db, random: randomBytes, listSize, owner: { personId, deviceRef: null, issuedAt: new Date(), expiresAt: new Date(Date.now() + 7 * 86_400_000) } });

    it('fills a list completely with distinct indexes before opening the next', async () => {
      const person = crypto.randomUUID();
      const refs = [...(await allocator(person, 16).allocate(10)), ...(await allocator(person, 16).allocate(10))];
      assert.equal(refs.length, 20);
      assert.equal(new Set(refs.map((r) => `${r.listId}:${r.index}`)).size, 20);
      const first = refs.filter((r) => r.listId === 0).map((r) => r.index).sort((a, b) => a - b);
      assert.deepEqual(first, Array.from({ length: 16 }, (_, i) => i), 'list 0 is used up before list 1 opens');
      assert.ok(refs.filter((r) => r.listId === 1).every((r) => r.index >= 0 && r.index < 16));
      const lists = await node.services.database.db.selectFrom('status_lists').select(['list_id', 'state']).orderBy('list_id').execute();
      assert.deepEqual(lists, [{ list_id: 0, state: 'full' }, { list_id: 1, state: 'open' }]);
      const rows = await node.services.database.db.selectFrom('status_entries').select(['list_id', 'idx']).where('person_id', '=', person).execute();
      assert.equal(rows.length, 20);
    });

    it('concurrent batches never share an index', async () => {
      const batches = await Promise.all(Array.from({ length: 8 }, () => allocator(crypto.randomUUID(), 16).allocate(5)));
      const all = batches.flat().map((r) => `${r.listId}:${r.index}`);
      assert.equal(all.length, 40);
      assert.equal(new Set(all).size, 40);
    });

    it('draws indexes at random over the whole list, not in issuance order', async () => {
      await node.services.database.db.updateTable('status_lists').set({ state: 'full' }).execute();
      const refs = await allocator(crypto.randomUUID(), 1_000_000).allocate(20);
      const listId = refs[0]!.listId;
      assert.ok(refs.every((r) => r.listId === listId));
      assert.equal((await node.services.database.db.selectFrom('status_lists').select(['size']).where('list_id', '=', listId).executeTakeFirstOrThrow()).size, 1_000_000);
      const indexes = refs.map((r) => r.index);
      // 20 uniform draws from 10^6 spanning under 10^4, or coming out sorted, has probability < 10^-18.
      assert.ok(Math.max(...indexes) - Math.min(...indexes) > 10_000);
      assert.notDeepEqual(indexes, [...indexes].sort((a, b) => a - b));
    });
  });
}
