/** Contract of the EphemeralStore (provider state) on both databases: expiry, once-only consume, grant revocation, lookups, sweep. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { DatabaseEphemeralStore } from '../../src/storage/ephemeral-store.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

for (const database of testDatabases) {
  describe(`EphemeralStore (${database.kind})`, () => {
    let node: NetidNode;
    let clock = new Date('2026-03-01T00:00:00Z');
    let store: DatabaseEphemeralStore;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url })), { inMemory: !url, skipLock: true });
      store = new DatabaseEphemeralStore({ db: node.services.database.db, now: () => clock });
    });
    after(async () => node?.close());
    const later = (s: number) => new Date(clock.getTime() + s * 1000);

    it('stores, replaces and expires records', async () => {
      await store.put('Session', 's1', { payload: { a: 1 }, expiresAt: later(60) });
      assert.deepEqual((await store.get('Session', 's1'))?.payload, { a: 1 });
      await store.put('Session', 's1', { payload: { a: 2 }, expiresAt: later(60) });
      assert.deepEqual((await store.get('Session', 's1'))?.payload, { a: 2 });
      assert.equal(await store.get('Grant', 's1'), null, 'namespaces are separate');
      clock = later(61);
      assert.equal(await store.get('Session', 's1'), null);
      assert.equal(await store.sweepExpired(), 1);
    });

    it('consumes once only', async () => {
      await store.put('AuthorizationCode', 'c1', { payload: {}, expiresAt: later(60) });
      assert.equal(await store.consume('AuthorizationCode', 'c1'), true);
      assert.equal(await store.consume('AuthorizationCode', 'c1'), false);
      assert.ok((await store.get('AuthorizationCode', 'c1'))?.consumedAt);
    });

    it('revokes everything of a grant and finds by uid and user code', async () => {
      await store.put('AccessToken', 'a1', { payload: {}, expiresAt: later(60), grantId: 'g1' });
      await store.put('RefreshToken', 'r1', { payload: {}, expiresAt: later(60), grantId: 'g1' });
      await store.put('AccessToken', 'a2', { payload: {}, expiresAt: later(60), grantId: 'g2' });
      assert.equal(await store.revokeByGrantId('g1'), 2);
      assert.equal(await store.get('RefreshToken', 'r1'), null);
      assert.ok(await store.get('AccessToken', 'a2'));
      await store.put('Session', 's2', { payload: { x: 1 }, expiresAt: later(60), uid: 'u2' });
      assert.equal((await store.findByUid('Session', 'u2'))?.id, 's2');
      await store.put('DeviceCode', 'd1', { payload: {}, expiresAt: later(60), userCode: 'ABCD' });
      assert.equal((await store.findByUserCode('DeviceCode', 'ABCD'))?.id, 'd1');
      await store.destroy('Session', 's2');
      assert.equal(await store.findByUid('Session', 'u2'), null);
    });
  });
}
