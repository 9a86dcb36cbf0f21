/**
 * SqlLogStore contract, on the embedded database and on a real PostgreSQL server: the same tree
 * as the in-memory store (roots, inclusion and consistency proofs, verified by the RFC 9162
 * verifiers), atomic appends that refuse a wrong start index, two nodes appending to one log at
 * once without corrupting it, no checkpoint rollback, and the outbox drained exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import type { SigningKey } from '../../src/keys/key-store.ts';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { TransparencyLog } from '../../src/transparency/log.ts';
import { MemoryLogStore } from '../../src/transparency/memory-log-store.ts';
import { SqlLogStore } from '../../src/transparency/sql-log-store.ts';
import { leafHash } from '../../src/transparency/hash.ts';
import { verifyInclusion } from '../../src/transparency/verify-inclusion.ts';
import { verifyConsistency } from '../../src/transparency/verify-consistency.ts';
import { testDatabases } from '../support/databases.ts';

const clock = () => new Date('2025-07-15T08:00:00.000Z');
const text = (s: string) => new TextEncoder().encode(s);

for (const database of testDatabases) {
  describe(`SqlLogStore on ${database.kind}`, () => {
    let handle: DatabaseHandle;
    let key: SigningKey;
    let n = 0;
    const logId = () => `netid.test/log/${database.kind}/${++n}`;

    before(async () => {
      handle = await openDatabase({ url: await database.url() });
      await migrate(handle.db);
      key = await new EphemeralKeyStore().activeKey('EdDSA');
    });
    after(async () => handle.close());

    it('builds the same tree as the in-memory store, batch by batch, with proofs that verify', async () => {
      const origin = logId();
      const sqlLog = new TransparencyLog({ origin, store: new SqlLogStore({ db: handle.db, logId: origin }), signingKey: key, clock });
      const memLog = new TransparencyLog({ origin, store: new MemoryLogStore(), signingKey: key, clock });
      const entries: Uint8Array[] = [];
      for (const batch of [1, 2, 5, 1, 13, 64, 3]) {
        const more = Array.from({ length: batch }, () => text(`entry ${entries.length + 1}`));
        entries.push(...more);
        // Appended one by one in memory, as one batch in SQL: the tree must not depend on batching.
        for (const e of more) await memLog.append([e]);
        await sqlLog.append(more);
        assert.deepEqual(await sqlLog.rootAt(entries.length), await memLog.rootAt(entries.length));
      }
      const size = entries.length;
      assert.equal(await sqlLog.size(), size);
      const root = await sqlLog.rootAt(size);
      for (const index of [0, 1, 7, 50, size - 1]) {
        const proof = await sqlLog.inclusionProof(index, size);
        assert.deepEqual(proof.hashes, (await memLog.inclusionProof(index, size)).hashes);
        assert.ok(verifyInclusion(index, size, leafHash(entries[index]!), proof.hashes, root));
      }
      for (const first of [1, 3, 8, 21, size]) {
        const proof = await sqlLog.consistencyProof(first, size);
        assert.ok(verifyConsistency(first, size, await sqlLog.rootAt(first), root, proof.hashes));
      }
      assert.deepEqual(await sqlLog.entries(5, 8), entries.slice(5, 8));
    });

    it('refuses a batch that does not start at the stored size (log.conflict), writing nothing', async () => {
      const store = new SqlLogStore({ db: handle.db, logId: logId() });
      const log = new TransparencyLog({ origin: store.logId, store, signingKey: key, clock });
      await log.append([text('a'), text('b')]);
      await assert.rejects(store.appendLeaves({ startIndex: 1, entries: [text('x')], nodes: [{ level: 0, index: 1, hash: leafHash(text('x')) }] }), { code: 'log.conflict' });
      await assert.rejects(store.appendLeaves({ startIndex: 3, entries: [text('x')], nodes: [{ level: 0, index: 3, hash: leafHash(text('x')) }] }), { code: 'log.conflict' });
      assert.equal(await store.size(), 2);
      assert.deepEqual(await store.getEntries(0, 2), [text('a'), text('b')]);
    });

    it('keeps one consistent tree when two nodes append to the same log at once', async () => {
      const origin = logId();
      // Two sequencers (two nodes) over one database: each plans from the size it read, the
      // locked head refuses the loser, which retries from the new size.
      const logs = [0, 1].map(() => new TransparencyLog({ origin, store: new SqlLogStore({ db: handle.db, logId: origin }), signingKey: key, clock }));
      const written: Uint8Array[] = [];
      await Promise.all(
        logs.map(async (log, which) => {
          for (let i = 0; i < 15; i++) {
            const entry = text(`node ${which} entry ${i}`);
            for (;;) {
              try {
                await log.append([entry]);
                written.push(entry);
                break;
              } catch (error) {
                if ((error as { code?: string }).code !== 'log.conflict') throw error;
              }
            }
          }
        }),
      );
      const store = new SqlLogStore({ db: handle.db, logId: origin });
      assert.equal(await store.size(), 30);
      const stored = await store.getEntries(0, 30);
      assert.equal(new Set(stored.map((e) => new TextDecoder().decode(e))).size, 30);
      // The stored nodes are exactly the tree of the stored entries.
      const reference = new TransparencyLog({ origin, store: new MemoryLogStore(), signingKey: key, clock });
      await reference.append(stored);
      assert.deepEqual(await logs[0]!.rootAt(30), await reference.rootAt(30));
      assert.deepEqual(await logs[1]!.rootAt(17), await reference.rootAt(17));
    });

    it('stores checkpoints and never lets an older or smaller one become the latest', async () => {
      const store = new SqlLogStore({ db: handle.db, logId: logId() });
      const log = new TransparencyLog({ origin: store.logId, store, signingKey: key, clock });
      await log.append([text('a')]);
      const first = await log.checkpoint();
      await log.append([text('b'), text('c')]);
      const second = await log.checkpoint();
      assert.equal((await store.latestCheckpoint())!.note, second.note);
      await assert.rejects(store.putCheckpoint(first), { code: 'log.conflict' });
      assert.equal((await store.latestCheckpoint())!.treeSize, 3);
    });

    it('drains the outbox into the tree exactly once, in order, in batches', async () => {
      const store = new SqlLogStore({ db: handle.db, logId: logId() });
      await handle.db.transaction().execute(async (trx) => store.enqueue([text('one'), text('two'), text('three')], trx));
      // An event whose transaction rolls back never reaches the log.
      await assert.rejects(
        handle.db.transaction().execute(async (trx) => {
          await store.enqueue([text('rolled back')], trx);
          throw new Error('abort');
        }),
      );
      assert.equal(await store.pendingCount(), 3);
      assert.deepEqual(await store.appendPending(2), { start: 0, count: 2 });
      assert.deepEqual(await Promise.all([store.appendPending(2), store.appendPending(2)]).then((r) => r.map((x) => x.count).sort()), [0, 1]);
      assert.equal(await store.size(), 3);
      assert.deepEqual((await store.getEntries(0, 3)).map((e) => new TextDecoder().decode(e)), ['one', 'two', 'three']);
      assert.equal(await store.pendingCount(), 0);
      const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM log_nodes WHERE log_id = ${store.logId}`.execute(handle.db);
      assert.equal(rows.rows[0]!.n, 3 + 1); // three leaves and one complete pair
    });
  });
}
