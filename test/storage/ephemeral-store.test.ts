/**
 * The EphemeralStore contract (src/storage/ephemeral-store.ts), run on every store a node may use:
 * the ephemeral_state table on the embedded database and on a real PostgreSQL server, the
 * in-process store, a real Redis server, and a real one-node Redis Cluster (which refuses any
 * script or command whose keys lie in different hash slots, as a many-node cluster would).
 * Expiry follows the node's clock; consume and putIfAbsent have one winner under concurrency;
 * revocation by grant id; lookups by uid and user code. Then what only one store does: Redis TTLs,
 * the in-process store's bound and its saving across a clean stop.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createClient, createCluster, type RedisClientType, type RedisClusterType } from '@redis/client';
import { openDatabase, type DatabaseHandle } from '../../src/storage/database.ts';
import { DatabaseEphemeralStore, StoreUnavailableError, type EphemeralStore } from '../../src/storage/ephemeral-store.ts';
import { MemoryEphemeralStore } from '../../src/storage/memory-ephemeral-store.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openEphemeralStore } from '../../src/storage/open-ephemeral-store.ts';
import { connectRedis, REDIS_CLIENT_OPTIONS, redisCommands, watchOutages, type RedisConnection } from '../../src/storage/redis-client.ts';
import { RedisEphemeralStore } from '../../src/storage/redis-ephemeral-store.ts';
import { testDatabases } from '../support/databases.ts';
import { startRedisServer, testRedisUrl, type RedisServer } from '../support/redis-server.ts';

const quiet = { warn: () => {}, info: () => {} };

interface Subject {
  readonly name: string;
  /** Whether sweepExpired deletes records (Redis leaves expiry to its TTLs). */
  readonly sweeps: boolean;
  open(now: () => Date): Promise<EphemeralStore>;
  close(): Promise<void>;
}

function databaseSubject(database: (typeof testDatabases)[number]): Subject {
  let handle: DatabaseHandle | undefined;
  return {
    name: database.kind,
    sweeps: true,
    async open(now) {
      handle = await openDatabase({ url: await database.url() });
      await migrate(handle.db);
      return new DatabaseEphemeralStore({ db: handle.db, now });
    },
    close: async () => handle?.close(),
  };
}

function redisSubject(): Subject {
  let connection: RedisConnection | undefined;
  return {
    name: 'redis',
    sweeps: false,
    async open(now) {
      connection = await connectRedis(await testRedisUrl(), quiet);
      return new RedisEphemeralStore({ redis: connection.commands, now });
    },
    close: async () => connection?.close(),
  };
}

function redisClusterSubject(): Subject {
  let server: RedisServer | undefined;
  let cluster: RedisClusterType | undefined;
  return {
    name: 'redis cluster',
    sweeps: false,
    async open(now) {
      server = await startRedisServer({ cluster: true });
      cluster = createCluster({ rootNodes: [{ url: server.url }], defaults: REDIS_CLIENT_OPTIONS }) as RedisClusterType;
      watchOutages(cluster, quiet);
      await cluster.connect();
      // The subject proves something only if the server refuses keys of two slots in one command.
      await assert.rejects(cluster.eval("return redis.call('MGET', KEYS[1], KEYS[2])", { keys: ['{a}x', '{b}y'] }), /CROSSSLOT|same slot/);
      return new RedisEphemeralStore({ redis: redisCommands(cluster), now });
    },
    async close() {
      cluster?.destroy();
      server?.stop();
    },
  };
}

const subjects: Subject[] = [...testDatabases.map(databaseSubject), { name: 'memory', sweeps: true, open: async (now) => new MemoryEphemeralStore({ now }), close: async () => {} }, redisSubject(), redisClusterSubject()];

for (const subject of subjects) {
  describe(`EphemeralStore contract (${subject.name})`, () => {
    // The Redis server is shared with other test files: ids are unique to this run.
    const run = randomBytes(4).toString('hex');
    const id = (name: string) => `${name}-${run}`;
    let clock = new Date();
    const later = (s: number) => new Date(clock.getTime() + s * 1000);
    let store: EphemeralStore;
    before(async () => {
      store = await subject.open(() => clock);
    });
    after(() => subject.close());

    it('stores, replaces and expires records by the node clock; namespaces are separate', async () => {
      await store.put('Session', id('s1'), { payload: { a: 1, nested: { list: [], text: '中文 ✓' } }, expiresAt: later(60) });
      assert.deepEqual((await store.get('Session', id('s1')))?.payload, { a: 1, nested: { list: [], text: '中文 ✓' } });
      await store.put('Session', id('s1'), { payload: { a: 2 }, expiresAt: later(60) });
      const replaced = await store.get('Session', id('s1'));
      assert.deepEqual(replaced?.payload, { a: 2 });
      assert.equal(replaced?.expiresAt.getTime(), later(60).getTime());
      assert.equal(replaced?.consumedAt, null);
      assert.equal(await store.get('Grant', id('s1')), null, 'namespaces are separate');
      assert.equal(await store.get('Session', id('absent')), null);
      clock = later(60);
      assert.equal(await store.get('Session', id('s1')), null, 'expired at its expiry time');
    });

    it(subject.sweeps ? 'sweeps expired records and reports how many' : 'has nothing to sweep: the server expires records itself', async () => {
      await store.put('Interaction', id('old'), { payload: {}, expiresAt: later(1) });
      await store.put('Interaction', id('new'), { payload: {}, expiresAt: later(120) });
      clock = later(2);
      const swept = await store.sweepExpired();
      if (subject.sweeps) assert.ok(swept >= 1, `swept ${swept}`);
      else assert.equal(swept, 0);
      assert.equal(await store.get('Interaction', id('old')), null);
      assert.ok(await store.get('Interaction', id('new')), 'live records stay');
    });

    it('gives a copy: changing a record read changes nothing stored', async () => {
      await store.put('Session', id('copy'), { payload: { list: [1] }, expiresAt: later(60) });
      const read = await store.get('Session', id('copy'));
      (read!.payload.list as number[]).push(2);
      assert.deepEqual((await store.get('Session', id('copy')))?.payload, { list: [1] });
    });

    it('consumes once only, and never an absent or expired record', async () => {
      await store.put('AuthorizationCode', id('c1'), { payload: {}, expiresAt: later(60) });
      assert.equal(await store.consume('AuthorizationCode', id('c1')), true);
      assert.equal(await store.consume('AuthorizationCode', id('c1')), false);
      assert.equal((await store.get('AuthorizationCode', id('c1')))?.consumedAt?.getTime(), clock.getTime(), 'the record stays, marked consumed');
      assert.equal(await store.consume('AuthorizationCode', id('never')), false);
      await store.put('AuthorizationCode', id('c2'), { payload: {}, expiresAt: later(5) });
      clock = later(5);
      assert.equal(await store.consume('AuthorizationCode', id('c2')), false);
      await store.put('AuthorizationCode', id('c1'), { payload: { again: true }, expiresAt: later(60) });
      assert.equal((await store.get('AuthorizationCode', id('c1')))?.consumedAt, null, 'a put replaces the consumed mark too');
    });

    it('lets exactly one of many concurrent consumes win', async () => {
      await store.put('AuthorizationCode', id('race'), { payload: {}, expiresAt: later(60) });
      const results = await Promise.all(Array.from({ length: 20 }, () => store.consume('AuthorizationCode', id('race'))));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('puts if absent: the first caller wins, concurrently too; an expired record counts as absent', async () => {
      assert.equal(await store.putIfAbsent('webauthn-spent', id('ch1'), { payload: { by: 'first' }, expiresAt: later(60) }), true);
      assert.equal(await store.putIfAbsent('webauthn-spent', id('ch1'), { payload: { by: 'second' }, expiresAt: later(60) }), false);
      assert.deepEqual((await store.get('webauthn-spent', id('ch1')))?.payload, { by: 'first' });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent('webauthn-spent', id('ch2'), { payload: { i }, expiresAt: later(60) })));
      assert.equal(results.filter(Boolean).length, 1);
      await store.put('webauthn-spent', id('ch3'), { payload: { by: 'old' }, expiresAt: later(1) });
      clock = later(1);
      assert.equal(await store.putIfAbsent('webauthn-spent', id('ch3'), { payload: { by: 'new' }, expiresAt: later(60) }), true);
      assert.deepEqual((await store.get('webauthn-spent', id('ch3')))?.payload, { by: 'new' });
    });

    it('revokes everything carrying a grant id, in any namespace, and nothing else', async () => {
      const [g1, g2] = [id('g1'), id('g2')];
      await store.put('Grant', g1, { payload: {}, expiresAt: later(600) });
      await store.put('AccessToken', id('a1'), { payload: {}, expiresAt: later(60), grantId: g1 });
      await store.put('RefreshToken', id('r1'), { payload: {}, expiresAt: later(600), grantId: g1 });
      await store.put('AuthorizationCode', id('code1'), { payload: {}, expiresAt: later(60), grantId: g1 });
      await store.put('AccessToken', id('a2'), { payload: {}, expiresAt: later(60), grantId: g2 });
      // Re-put under another grant: the old grant no longer reaches it.
      await store.put('AccessToken', id('moved'), { payload: {}, expiresAt: later(60), grantId: g1 });
      await store.put('AccessToken', id('moved'), { payload: {}, expiresAt: later(60), grantId: g2 });
      assert.equal(await store.revokeByGrantId(g1), 3);
      for (const [namespace, name] of [['AccessToken', 'a1'], ['RefreshToken', 'r1'], ['AuthorizationCode', 'code1']] as const) assert.equal(await store.get(namespace, id(name)), null, `${namespace} revoked`);
      assert.ok(await store.get('Grant', g1), 'the grant record itself carries no grant id (PersonGrants destroys it)');
      assert.ok(await store.get('AccessToken', id('a2')));
      assert.ok(await store.get('AccessToken', id('moved')));
      assert.equal(await store.revokeByGrantId(g1), 0, 'a second revocation finds nothing');
      assert.equal(await store.revokeByGrantId(id('unknown')), 0);
    });

    it('finds by uid and by user code, only while the record lives and still carries it', async () => {
      await store.put('Session', id('s2'), { payload: { x: 1 }, expiresAt: later(60), uid: id('u2') });
      const found = await store.findByUid('Session', id('u2'));
      assert.equal(found?.id, id('s2'));
      assert.deepEqual(found?.payload, { x: 1 });
      assert.equal(await store.findByUid('Interaction', id('u2')), null, 'per namespace');
      await store.put('DeviceCode', id('d1'), { payload: {}, expiresAt: later(60), userCode: id('ABCD') });
      assert.equal((await store.findByUserCode('DeviceCode', id('ABCD')))?.id, id('d1'));
      await store.consume('DeviceCode', id('d1'));
      assert.ok((await store.findByUserCode('DeviceCode', id('ABCD')))?.consumedAt, 'a consumed record is found, marked');
      await store.destroy('Session', id('s2'));
      assert.equal(await store.findByUid('Session', id('u2')), null, 'destroyed');
      await store.put('Session', id('s3'), { payload: {}, expiresAt: later(60), uid: id('u3') });
      await store.put('Session', id('s3'), { payload: {}, expiresAt: later(60) });
      assert.equal(await store.findByUid('Session', id('u3')), null, 'replaced without the uid');
      await store.put('Session', id('s4'), { payload: {}, expiresAt: later(5), uid: id('u4') });
      clock = later(5);
      assert.equal(await store.findByUid('Session', id('u4')), null, 'expired');
    });
  });
}

describe('Redis store: what only Redis does', () => {
  let connection: RedisConnection;
  let raw: RedisClientType;
  let store: RedisEphemeralStore;
  const run = randomBytes(4).toString('hex');
  before(async () => {
    const url = await testRedisUrl();
    connection = await connectRedis(url, quiet);
    raw = createClient({ url }) as RedisClientType;
    await raw.connect();
    store = new RedisEphemeralStore({ redis: connection.commands, now: () => new Date() });
  });
  after(async () => {
    await connection?.close();
    raw?.destroy();
  });

  it('gives every key a Redis TTL: the record its own, a grant set its longest-lived member', async () => {
    const grant = `g-${run}`;
    await store.put('AccessToken', `a-${run}`, { payload: {}, expiresAt: new Date(Date.now() + 60_000), grantId: grant, uid: `u-${run}` });
    await store.put('RefreshToken', `r-${run}`, { payload: {}, expiresAt: new Date(Date.now() + 600_000), grantId: grant });
    await store.put('AccessToken', `b-${run}`, { payload: {}, expiresAt: new Date(Date.now() + 30_000), grantId: grant });
    const ttl = async (key: string) => Number(await raw.pTTL(key));
    const record = await ttl(`netid:e:AccessToken:{a-${run}}`);
    assert.ok(record > 55_000 && record <= 60_000, `record TTL ${record}`);
    const grantSet = await ttl(`netid:g:{${grant}}`);
    assert.ok(grantSet > 595_000 && grantSet <= 600_000, `grant set TTL ${grantSet}`);
    const uid = await ttl(`netid:u:AccessToken:{u-${run}}`);
    assert.ok(uid > 55_000 && uid <= 60_000, `uid index TTL ${uid}`);
  });

  it('lets Redis delete a record when its TTL runs out', async () => {
    await store.put('Interaction', `short-${run}`, { payload: {}, expiresAt: new Date(Date.now() + 100) });
    assert.equal(Number(await raw.exists(`netid:e:Interaction:{short-${run}}`)), 1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(Number(await raw.exists(`netid:e:Interaction:{short-${run}}`)), 0);
  });

  it('refuses a namespace that could break the key layout', async () => {
    await assert.rejects(store.put('Session:{x}', 'id', { payload: {}, expiresAt: new Date(Date.now() + 1000) }), TypeError);
  });
});

describe('Redis store while Redis is down', () => {
  let server: RedisServer;
  let connection: RedisConnection;
  let store: RedisEphemeralStore;
  const warnings: unknown[] = [];
  before(async () => {
    server = await startRedisServer();
    connection = await connectRedis(server.url, { warn: (...args: unknown[]) => void warnings.push(args), info: () => {} });
    store = new RedisEphemeralStore({ redis: connection.commands, now: () => new Date() });
  });
  after(async () => {
    await connection?.close();
    server?.stop();
  });

  it('fails fast with the coded 503, keeps the process up, logs the outage once, and serves again once Redis is back', async () => {
    await store.put('Session', 'kept', { payload: { ok: true }, expiresAt: new Date(Date.now() + 60_000) });
    server.stop();
    const started = Date.now();
    const refused = await store.get('Session', 'kept').then(() => null, (error: unknown) => error);
    assert.ok(refused instanceof StoreUnavailableError, `got ${String(refused)}`);
    assert.equal(refused.code, 'storage.unavailable');
    assert.equal(refused.status, 503);
    assert.equal(refused.statusCode, 503, 'oidc-provider reads statusCode');
    assert.equal(refused.message, 'temporarily_unavailable', 'oidc-provider answers this OAuth error code');
    assert.ok(Date.now() - started < 2500, `answered in ${Date.now() - started} ms`);
    await assert.rejects(store.put('Session', 'new', { payload: {}, expiresAt: new Date(Date.now() + 60_000) }), StoreUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(warnings.length, 1, 'one warning per outage, not one per reconnection attempt');

    server = await startRedisServer({ port: server.port });
    const deadline = Date.now() + 5000;
    for (;;) {
      const result = await store.put('Session', 'after', { payload: { back: true }, expiresAt: new Date(Date.now() + 60_000) }).then(() => 'ok', () => 'down');
      if (result === 'ok') break;
      assert.ok(Date.now() < deadline, 'served again within 5 s of Redis coming back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual((await store.get('Session', 'after'))?.payload, { back: true });
    assert.equal(await store.get('Session', 'kept'), null, 'a Redis without persistence restarted empty (this test server keeps nothing)');
  });

  it('refuses to start a node whose Redis cannot be reached', async () => {
    const unreachable = await startRedisServer();
    const url = unreachable.url;
    unreachable.stop();
    await assert.rejects(connectRedis(url, quiet), /cannot reach Redis at NETID_REDIS_URL/);
  });
});

describe('in-process store: bounded, and kept across a clean stop', () => {
  it('refuses a new record with the coded 503 when full, after making room from expired ones', async () => {
    let clock = new Date('2026-03-01T00:00:00Z');
    const store = new MemoryEphemeralStore({ now: () => clock, maxRecords: 2 });
    await store.put('Interaction', 'a', { payload: {}, expiresAt: new Date(clock.getTime() + 1000) });
    await store.put('Interaction', 'b', { payload: {}, expiresAt: new Date(clock.getTime() + 60_000) });
    await assert.rejects(store.put('Interaction', 'c', { payload: {}, expiresAt: new Date(clock.getTime() + 60_000) }), (error: unknown) => error instanceof StoreUnavailableError && error.status === 503);
    await store.put('Interaction', 'b', { payload: { replaced: true }, expiresAt: new Date(clock.getTime() + 60_000) });
    clock = new Date(clock.getTime() + 1000);
    await store.put('Interaction', 'c', { payload: {}, expiresAt: new Date(clock.getTime() + 60_000) });
    assert.ok(await store.get('Interaction', 'c'));
    assert.deepEqual((await store.get('Interaction', 'b'))?.payload, { replaced: true });
  });

  it('saves live records at a clean stop and takes them back at the next start, consumed ones still consumed, once only', async () => {
    const handle = await openDatabase({});
    try {
      await migrate(handle.db);
      const clock = new Date();
      const config = { NETID_EPHEMERAL_STORE: 'memory', NETID_REDIS_URL: undefined, DATABASE_URL: undefined } as const;
      const first = await openEphemeralStore(config, { db: handle.db, now: () => clock, logger: quiet });
      assert.equal(first.kind, 'memory');
      await first.store.put('Session', 's', { payload: { who: 'p1' }, expiresAt: new Date(clock.getTime() + 60_000), uid: 'u' });
      await first.store.put('AuthorizationCode', 'c', { payload: {}, expiresAt: new Date(clock.getTime() + 60_000), grantId: 'g' });
      await first.store.consume('AuthorizationCode', 'c');
      await first.store.put('Interaction', 'gone', { payload: {}, expiresAt: new Date(clock.getTime() - 1) });
      await first.close();
      const saved = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ephemeral_state`.execute(handle.db);
      assert.equal(saved.rows[0]!.n, 2, 'live records only');

      const second = await openEphemeralStore(config, { db: handle.db, now: () => clock, logger: quiet });
      assert.equal((await second.store.findByUid('Session', 'u'))?.id, 's');
      assert.equal(await second.store.consume('AuthorizationCode', 'c'), false, 'still consumed');
      assert.equal(await second.store.revokeByGrantId('g'), 1, 'still revocable by its grant');
      const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ephemeral_state`.execute(handle.db);
      assert.equal(left.rows[0]!.n, 0, 'taken back, so a crash now cannot bring them back at a later start');
    } finally {
      await handle.close();
    }
  });

  it('is refused for a node on a PostgreSQL server, where other nodes could not see its state', async () => {
    const handle = await openDatabase({});
    try {
      await assert.rejects(openEphemeralStore({ NETID_EPHEMERAL_STORE: 'memory', NETID_REDIS_URL: undefined, DATABASE_URL: 'postgres://db/netid' }, { db: handle.db, now: () => new Date(), logger: quiet }), /one embedded node/);
    } finally {
      await handle.close();
    }
  });
});
