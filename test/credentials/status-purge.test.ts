/**
 * Purging status entries of long-expired web certificates, on both databases: nothing is released
 * before exp + one day; a revoked credential stays revoked in its list until then; revoked
 * entries leave a list only once it is full (their indexes are never drawn again), and the list's
 * cached token is dropped so the next one carries the current bits.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { purgeExpiredStatusEntries, SqlStatusAllocator } from '../../src/credentials/service/index.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const DAY = 86_400_000;
const t0 = new Date('2025-07-01T00:00:00.000Z');

for (const database of testDatabases) {
  describe(`status entry purge on ${database.kind}`, () => {
    let node: NetidNode;
    let clock = t0;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: mkdtempSync(join(tmpdir(), 'netid-purge-')) })), { inMemory: !url, skipLock: true, now: () => clock });
    });
    after(async () => node?.close());

    const allocate = (personId: string, deviceRef: string | null, count: number, validDays: number) =>
      new SqlStatusAllocator({ db: node.services.database.db, random: randomBytes, listSize: 4, owner: { personId, deviceRef, issuedAt: clock, expiresAt: new Date(clock.getTime() + validDays * DAY) } }).allocate(count);
    const remaining = async () => (await node.services.database.db.selectFrom('status_entries').select(['person_id', 'list_id']).execute()).map((r) => `${r.person_id}@${r.list_id}`).sort();
    const revokedBits = async (listId: number) => {
      const bits = (await node.services.credentials.statusLists.revocations(listId))!;
      return Array.from({ length: 4 }, (_, i) => bits.get(i));
    };
    const cachedTokens = async () => (await node.services.database.db.selectFrom('status_list_tokens').select('list_id').orderBy('list_id').execute()).map((r) => r.list_id);

    it('releases expired entries after a day of grace, revoked ones only from full lists', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const c = randomUUID();
      const lost = await allocate(a, 'phone-lost', 2, 7);
      await allocate(a, 'phone-kept', 2, 7);
      const bRefs = await allocate(b, null, 2, 7);
      await allocate(c, null, 1, 30);
      assert.ok(lost.every((r) => r.listId === 0));
      assert.ok(bRefs.every((r) => r.listId === 1), 'list 0 filled up, so list 1 opened');
      const lists = await node.services.database.db.selectFrom('status_lists').select(['list_id', 'state']).orderBy('list_id').execute();
      assert.deepEqual(lists, [{ list_id: 0, state: 'full' }, { list_id: 1, state: 'open' }]);

      clock = new Date(t0.getTime() + DAY);
      assert.equal((await node.services.credentials.revokeCredentialsOfDevice(a, 'phone-lost')).revoked, 2);
      assert.equal((await node.services.credentials.revokePersonCredentials(b, 'person_request')).revoked, 2);
      await node.services.credentials.statusLists.token(0);
      await node.services.credentials.statusLists.token(1);
      const revokedIn0 = await revokedBits(0);
      assert.equal(revokedIn0.filter((bit) => bit === 1).length, 2);

      // Expired, but within the day of grace: a verifier with a slow clock may still accept them.
      clock = new Date(t0.getTime() + 7.5 * DAY);
      const early = await node.services.credentials.purgeExpiredStatusEntries();
      assert.equal(early.released, 0);
      assert.deepEqual(await revokedBits(0), revokedIn0);

      clock = new Date(t0.getTime() + 9 * DAY);
      const purged = await purgeExpiredStatusEntries({ db: node.services.database.db, now: () => clock, batchSize: 1 });
      assert.deepEqual(purged, { cutoff: new Date(t0.getTime() + 8 * DAY), released: 4, releasedRevoked: 2, changedLists: [0] });
      // b's revoked entries stay in the open list: their indexes could be drawn again while verifiers hold tokens with the bit set.
      assert.deepEqual(await remaining(), [`${b}@1`, `${b}@1`, `${c}@1`].sort());
      assert.deepEqual(await revokedBits(0), [0, 0, 0, 0]);
      assert.equal((await revokedBits(1)).filter((bit) => bit === 1).length, 2);
      assert.deepEqual(await cachedTokens(), [1], "list 0's cached token is dropped, list 1's bits did not change");
      assert.deepEqual(await node.services.credentials.stateOf(c), { state: 'active', expiresAt: new Date(t0.getTime() + 30 * DAY) });

      // A full list is never drawn from again: its released indexes are not reused.
      const d = randomUUID();
      const dRefs = await allocate(d, null, 2, 7);
      assert.ok(dRefs.every((r) => r.listId !== 0));
      assert.deepEqual((await node.services.database.db.selectFrom('status_lists').select(['list_id', 'state']).orderBy('list_id').execute()).map((l) => l.state), ['full', 'full', 'open']);

      // Once list 1 is full too, b's long-expired revoked entries go.
      const later = await node.services.credentials.purgeExpiredStatusEntries();
      assert.deepEqual([later.released, later.releasedRevoked, later.changedLists], [2, 2, [1]]);
      assert.deepEqual(await revokedBits(1), [0, 0, 0, 0]);
      assert.deepEqual((await remaining()).filter((r) => r.startsWith(b)), []);
      assert.equal((await remaining()).filter((r) => r.startsWith(c)).length, 1, 'a valid credential is never released');
    });
  });
}
