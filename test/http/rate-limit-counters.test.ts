/**
 * The rate-limit counter contract (src/storage/counter-store.ts), on every store a node may use:
 * in this process, and the rate_limit_counters table on the embedded database and on a real
 * PostgreSQL server. A count never gets lost under concurrency, a window ends when it should, and
 * ended windows are swept.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { DatabaseCounterStore, MemoryCounterStore, type CounterStore } from '../../src/storage/counter-store.ts';
import { testDatabases } from '../support/databases.ts';

const MINUTE = 60_000;

interface Subject {
  readonly name: string;
  store(now: () => Date): Promise<CounterStore>;
  close(): Promise<void>;
}

const subjects: Subject[] = [
  { name: 'memory', store: async (now) => new MemoryCounterStore({ now }), close: async () => {} },
  ...testDatabases.map((database): Subject => {
    let handle: DatabaseHandle | undefined;
    return {
      name: database.kind,
      async store(now) {
        handle ??= await openDatabase({ url: await database.url() });
        await migrate(handle.db);
        await sql`DELETE FROM rate_limit_counters`.execute(handle.db);
        return new DatabaseCounterStore({ db: handle.db, now });
      },
      close: async () => handle?.close(),
    };
  }),
];

for (const subject of subjects) {
  describe(`rate-limit counters (${subject.name})`, () => {
    let clock = new Date('2026-03-01T08:00:00Z');
    const now = () => clock;
    let store: CounterStore;
    before(async () => {
      store = await subject.store(now);
    });
    after(() => subject.close());

    it('counts each key in a window that starts with its first request and ends a window later', async () => {
      clock = new Date('2026-03-01T08:00:00Z');
      const first = await store.increment('a', MINUTE);
      assert.deepEqual(first, { count: 1, resetAt: new Date('2026-03-01T08:01:00Z') });
      clock = new Date('2026-03-01T08:00:59Z');
      assert.deepEqual(await store.increment('a', MINUTE), { count: 2, resetAt: new Date('2026-03-01T08:01:00Z') }, 'the window does not move with later requests');
      assert.equal((await store.increment('b', MINUTE)).count, 1, 'keys are counted apart');
      clock = new Date('2026-03-01T08:01:00Z');
      assert.deepEqual(await store.increment('a', MINUTE), { count: 1, resetAt: new Date('2026-03-01T08:02:00Z') }, 'a new window starts once the last one ended');
    });

    it('never loses a count when many requests for one key arrive at once', async () => {
      clock = new Date('2026-03-01T09:00:00Z');
      const counts = await Promise.all(Array.from({ length: 40 }, () => store.increment('burst', MINUTE)));
      assert.deepEqual(counts.map((c) => c.count).sort((x, y) => x - y), Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('sweeps counters whose window ended, and only those', async () => {
      clock = new Date('2026-03-01T10:00:00Z');
      await store.increment('old', MINUTE);
      clock = new Date('2026-03-01T10:00:30Z');
      await store.increment('young', MINUTE);
      clock = new Date('2026-03-01T10:01:10Z');
      assert.ok((await store.sweepExpired()) >= 1);
      clock = new Date('2026-03-01T10:01:20Z');
      assert.equal((await store.increment('young', MINUTE)).count, 2, 'a live window survives the sweep');
      assert.equal((await store.increment('old', MINUTE)).count, 1);
    });
  });
}

describe('rate-limit counters in memory', () => {
  it('keep at most maxKeys keys, dropping ended windows first and then the oldest key', async () => {
    let clock = new Date('2026-03-01T08:00:00Z');
    const store = new MemoryCounterStore({ now: () => clock, maxKeys: 3 });
    await store.increment('ended', 1_000);
    clock = new Date('2026-03-01T08:00:05Z');
    await store.increment('k1', MINUTE);
    await store.increment('k2', MINUTE);
    await store.increment('k3', MINUTE);
    assert.equal((await store.increment('k1', MINUTE)).count, 2, 'the ended window made room, not k1');
    await store.increment('k4', MINUTE);
    assert.equal((await store.increment('k1', MINUTE)).count, 1, 'full of live windows: the oldest key (k1) was dropped');
  });
});
