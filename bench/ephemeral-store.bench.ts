/**
 * The EphemeralStore on each store a node may use (docs/adr/0006-redis-ephemeral-store.md):
 * put, get and consume of a sign-in-sized record (a ~600-byte payload with a grant id), one
 * operation at a time (what one request waits for), and get with 32 in flight (what a busy node
 * sees). Each figure carries, in its note, the CPU time this process spent per operation, which is
 * what a fleet pays for.
 *
 * Baselines, same run: for the Redis store, the bare client's raw SET/GET of the same payload on
 * the same server; for the database stores, the bare `SELECT 1` round trip on the same connection;
 * for the in-process store, a bare Map set/get of the same JSON text.
 *
 * The Redis store runs over node-redis (`@redis/client`, the client netid ships). The other
 * candidates of the ADR, `ioredis` and `iovalkey`, are measured too when they can be imported:
 * from node_modules, or from NETID_BENCH_CLIENTS_DIR (a directory holding a node_modules with them:
 * `npm install --prefix /tmp/clients ioredis iovalkey`, then NETID_BENCH_CLIENTS_DIR=/tmp/clients).
 * They get the same options as netid's connection (no offline queue, no resending) and the same
 * store, through an adapter of the same few commands.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { createClient, type RedisClientType } from '@redis/client';
import { openDatabase, type DatabaseHandle } from '../src/storage/database.ts';
import { DatabaseEphemeralStore, type EphemeralStore } from '../src/storage/ephemeral-store.ts';
import { MemoryEphemeralStore } from '../src/storage/memory-ephemeral-store.ts';
import { migrate } from '../src/storage/migrate.ts';
import { connectRedis } from '../src/storage/redis-client.ts';
import type { RedisCommands, RedisScript } from '../src/storage/redis-commands.ts';
import { RedisEphemeralStore } from '../src/storage/redis-ephemeral-store.ts';
import { createDatabaseOn } from '../test/support/databases.ts';
import { startRedisServer } from '../test/support/redis-server.ts';
import type { Figure, Measurement } from './measure.ts';

const SECONDS = 1.5;
const IN_FLIGHT = 32;
/** Records cycled through, so gets and consumes hit existing keys without one hot row. */
const KEYS = 1000;

interface Rate {
  readonly perSecond: number;
  /** CPU time of this process per operation, microseconds. */
  readonly cpuMicros: number;
}

async function rate(op: (i: number) => Promise<unknown>, inFlight = 1): Promise<Rate> {
  for (let i = 0; i < 200; i++) await op(i);
  const cpu = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < SECONDS * 1000) {
    if (inFlight === 1) await op(n);
    else await Promise.all(Array.from({ length: inFlight }, (_, j) => op(n * inFlight + j)));
    n += inFlight;
  }
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: n / elapsed, cpuMicros: (used.user + used.system) / n };
}

const PAYLOAD = { accountId: randomBytes(16).toString('hex'), claims: { sub: randomBytes(16).toString('base64url') }, scope: 'openid profile', jti: randomBytes(20).toString('base64url'), pad: 'x'.repeat(420) };
const PAYLOAD_TEXT = JSON.stringify(PAYLOAD);

interface Subject {
  readonly name: string;
  readonly store: EphemeralStore;
  /** The bare operation underneath, for the baseline. */
  readonly baseline: { readonly name: string; write(i: number): Promise<unknown>; read(i: number): Promise<unknown> };
  close(): Promise<void>;
}

async function measureSubject(subject: Subject): Promise<Measurement[]> {
  const { store } = subject;
  const id = (i: number) => `bench-${i % KEYS}`;
  const expiresAt = () => new Date(Date.now() + 600_000);
  const put = (i: number) => store.put('AccessToken', id(i), { payload: PAYLOAD, expiresAt: expiresAt(), grantId: `grant-${i % 100}` });
  const putRate = await rate(put);
  const getRate = await rate((i) => store.get('AccessToken', id(i)));
  // Each consume needs a fresh record: put one per consume (two operations, reported per consume).
  let fresh = 0;
  const consumeRate = await rate(async () => {
    const code = `code-${(fresh += 1)}`;
    await store.put('AuthorizationCode', code, { payload: PAYLOAD, expiresAt: expiresAt() });
    if (!(await store.consume('AuthorizationCode', code))) throw new Error('consume refused a fresh record');
  });
  const getInFlight = await rate((i) => store.get('AccessToken', id(i)), IN_FLIGHT);
  const rawWrite = await rate((i) => subject.baseline.write(i));
  const rawRead = await rate((i) => subject.baseline.read(i));
  const rawReadInFlight = await rate((i) => subject.baseline.read(i), IN_FLIGHT);
  const figure = (name: string, r: Rate): Figure => ({ name, value: r.perSecond, unit: 'ops/s' });
  const note = (r: Rate, base?: Rate) => `${r.cpuMicros.toFixed(1)} µs CPU/op${base ? `; baseline ${base.cpuMicros.toFixed(1)}` : ''}`;
  return [
    { ...figure(`${subject.name}: put`, putRate), baseline: figure(`${subject.baseline.name} write`, rawWrite), note: note(putRate, rawWrite) },
    { ...figure(`${subject.name}: get`, getRate), baseline: figure(`${subject.baseline.name} read`, rawRead), note: note(getRate, rawRead) },
    { ...figure(`${subject.name}: put + consume`, consumeRate), note: note(consumeRate) },
    { ...figure(`${subject.name}: get, ${IN_FLIGHT} in flight`, getInFlight), baseline: figure(`${subject.baseline.name} read, ${IN_FLIGHT} in flight`, rawReadInFlight), note: note(getInFlight, rawReadInFlight) },
  ];
}

async function databaseSubject(name: string, handle: DatabaseHandle): Promise<Subject> {
  await migrate(handle.db);
  return {
    name,
    store: new DatabaseEphemeralStore({ db: handle.db, now: () => new Date() }),
    baseline: { name: 'bare SELECT 1', write: () => sql`SELECT 1`.execute(handle.db), read: () => sql`SELECT 1`.execute(handle.db) },
    close: () => handle.close(),
  };
}

function memorySubject(): Subject {
  const map = new Map<string, string>();
  return {
    name: 'memory',
    store: new MemoryEphemeralStore({ now: () => new Date() }),
    baseline: {
      name: 'bare Map',
      write: async (i) => map.set(`k${i % KEYS}`, PAYLOAD_TEXT),
      read: async (i) => JSON.parse(map.get(`k${i % KEYS}`) ?? '{}'),
    },
    close: async () => {},
  };
}

/** A candidate client: the RedisCommands the store needs, and its own raw SET/GET. */
interface Candidate {
  readonly commands: RedisCommands;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

function redisSubject(client: string, candidate: Candidate): Subject {
  return {
    name: `redis (${client})`,
    store: new RedisEphemeralStore({ redis: candidate.commands, now: () => new Date() }),
    baseline: { name: `bare ${client} SET/GET`, write: (i) => candidate.set(`raw:${i % KEYS}`, PAYLOAD_TEXT), read: (i) => candidate.get(`raw:${i % KEYS}`) },
    close: () => candidate.close(),
  };
}

async function nodeRedisCandidate(url: string): Promise<Candidate> {
  const connection = await connectRedis(url, { warn: () => {}, info: () => {} });
  const raw = createClient({ url }) as RedisClientType;
  await raw.connect();
  return { commands: connection.commands, set: (k, v) => raw.set(k, v, { PX: 600_000 }), get: (k) => raw.get(k), close: async () => { await connection.close(); raw.destroy(); } };
}

/** Imports an optional candidate client from node_modules or NETID_BENCH_CLIENTS_DIR; null when neither has it. */
async function importCandidate(name: string): Promise<Record<string, unknown> | null> {
  const bases = [import.meta.url, ...(process.env.NETID_BENCH_CLIENTS_DIR ? [pathToFileURL(join(process.env.NETID_BENCH_CLIENTS_DIR, 'noop.js')).href] : [])];
  for (const base of bases) {
    try {
      return (await import(pathToFileURL(createRequire(base).resolve(name)).href)) as Record<string, unknown>;
    } catch {
      // not there
    }
  }
  return null;
}

/** The part of the ioredis API (and of its fork iovalkey) the adapter uses. */
interface IoClient {
  connect(): Promise<unknown>;
  get(key: string): Promise<string | null>;
  hmget(key: string, ...fields: string[]): Promise<Array<string | null>>;
  set(key: string, value: string, px: 'PX', ttl: number): Promise<unknown>;
  del(key: string): Promise<number>;
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(lua: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  quit(): Promise<unknown>;
}

async function ioCandidate(name: 'ioredis' | 'iovalkey', url: string): Promise<Candidate | null> {
  const module = await importCandidate(name);
  if (!module) return null;
  const Client = module.Redis as new (url: string, options: Record<string, unknown>) => IoClient;
  const client = new Client(url, { lazyConnect: true, enableAutoPipelining: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  await client.connect();
  const commands: RedisCommands = {
    get: (key) => client.get(key),
    hmget: (key, fields) => client.hmget(key, ...fields),
    setWithTtl: async (key, value, ttlMs) => void (await client.set(key, value, 'PX', ttlMs)),
    del: (key) => client.del(key),
    run: async (script: RedisScript, keys, args) => {
      try {
        return await client.evalsha(script.sha1, keys.length, ...keys, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return client.eval(script.lua, keys.length, ...keys, ...args);
      }
    },
    quit: async () => void (await client.quit()),
  };
  return { commands, set: (k, v) => client.set(k, v, 'PX', 600_000), get: (k) => client.get(k), close: commands.quit };
}

export async function benchEphemeralStore(databaseUrl: string): Promise<Measurement[]> {
  const redis = await startRedisServer();
  const results: Measurement[] = [];
  const run = async (subject: Subject | null, missing?: string) => {
    if (!subject) {
      results.push({ name: `${missing}: not measured`, value: 0, unit: 'ops/s', note: 'client not installed (see the header of bench/ephemeral-store.bench.ts)' });
      return;
    }
    try {
      results.push(...(await measureSubject(subject)));
    } finally {
      await subject.close();
    }
  };
  try {
    await run(await databaseSubject('pglite', await openDatabase({})));
    await run(await databaseSubject('postgres', await openDatabase({ url: await createDatabaseOn(databaseUrl, 'bench') })));
    await run(memorySubject());
    await run(redisSubject('node-redis', await nodeRedisCandidate(redis.url)));
    for (const name of ['ioredis', 'iovalkey'] as const) {
      const candidate = await ioCandidate(name, redis.url);
      await run(candidate && redisSubject(name, candidate), `redis (${name})`);
    }
  } finally {
    redis.stop();
  }
  return results;
}
