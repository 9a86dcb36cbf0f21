/**
 * The one place a node's EphemeralStore is chosen and built (NETID_EPHEMERAL_STORE,
 * NETID_REDIS_URL; docs/adr/0006-redis-ephemeral-store.md), with the Redis connection the
 * rate-limit counters share. Every part of the node uses this one store: oidc-provider's adapter
 * and the grants index must see the same records, which the in-process store only guarantees when
 * there is one instance.
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { DatabaseEphemeralStore, type EphemeralStore } from './ephemeral-store.ts';
import { MemoryEphemeralStore, type MemoryRecord } from './memory-ephemeral-store.ts';
import { connectRedis, type RedisConnection } from './redis-client.ts';
import type { RedisCommands } from './redis-commands.ts';
import { RedisEphemeralStore } from './redis-ephemeral-store.ts';
import type { Database } from './schema.ts';

export type EphemeralStoreKind = 'database' | 'memory' | 'redis';

export interface EphemeralStoreHandle {
  readonly kind: EphemeralStoreKind;
  readonly store: EphemeralStore;
  /** The node's Redis connection when NETID_REDIS_URL is set (the rate-limit counters use it too). */
  readonly redis: RedisCommands | null;
  /** Closes the Redis connection; the in-process store saves its live records first. */
  close(): Promise<void>;
}

export function ephemeralStoreKind(config: Pick<Config, 'NETID_EPHEMERAL_STORE' | 'NETID_REDIS_URL' | 'DATABASE_URL'>): EphemeralStoreKind {
  // auto: Redis when there is one, else the database — durable, so a crash loses no code, refresh
  // token or spent-challenge record (ADR 0006: in process is faster, but only an explicit choice).
  const kind = config.NETID_EPHEMERAL_STORE === 'auto' ? (config.NETID_REDIS_URL ? 'redis' : 'database') : config.NETID_EPHEMERAL_STORE;
  if (kind === 'redis' && !config.NETID_REDIS_URL) throw new Error('NETID_EPHEMERAL_STORE=redis needs NETID_REDIS_URL');
  // Other nodes may serve the same PostgreSQL database; they could not see this process's state.
  if (kind === 'memory' && config.DATABASE_URL) throw new Error('NETID_EPHEMERAL_STORE=memory is for one embedded node: with DATABASE_URL use `database` or NETID_REDIS_URL');
  return kind;
}

export async function openEphemeralStore(config: Pick<Config, 'NETID_EPHEMERAL_STORE' | 'NETID_REDIS_URL' | 'DATABASE_URL'>, deps: { db: Kysely<Database>; now: () => Date; logger: Pick<Logger, 'warn' | 'info'> }): Promise<EphemeralStoreHandle> {
  const kind = ephemeralStoreKind(config);
  const connection: RedisConnection | null = config.NETID_REDIS_URL ? await connectRedis(config.NETID_REDIS_URL, deps.logger) : null;
  const closeRedis = async () => connection?.close();
  if (kind === 'redis') return { kind, store: new RedisEphemeralStore({ redis: connection!.commands, now: deps.now }), redis: connection!.commands, close: closeRedis };
  if (kind === 'database') return { kind, store: new DatabaseEphemeralStore({ db: deps.db, now: deps.now }), redis: connection?.commands ?? null, close: closeRedis };
  const store = new MemoryEphemeralStore({ now: deps.now });
  store.load(await takeSavedRecords(deps.db, deps.now()));
  return {
    kind,
    store,
    redis: connection?.commands ?? null,
    async close() {
      await saveRecords(deps.db, store.liveRecords());
      await closeRedis();
    },
  };
}

/**
 * Reads and deletes, in one transaction, what the in-process store saved at its last clean stop
 * (and anything a database-store run left). Deleting on load means a crash after this start
 * loses the records rather than bringing back, at the next start, a code consumed or a token
 * revoked since.
 */
async function takeSavedRecords(db: Kysely<Database>, now: Date): Promise<MemoryRecord[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('ephemeral_state').select(['namespace', 'id', 'payload', 'grant_id', 'uid', 'user_code', 'expires_at', 'consumed_at']).where('expires_at', '>', now).execute();
    await sql`DELETE FROM ephemeral_state`.execute(trx);
    return rows.map((row) => ({
      namespace: row.namespace,
      id: row.id,
      payload: typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload),
      expiresAt: new Date(row.expires_at).getTime(),
      consumedAt: row.consumed_at ? new Date(row.consumed_at).getTime() : null,
      grantId: row.grant_id,
      uid: row.uid,
      userCode: row.user_code,
    }));
  });
}

/** Saves the live records at a clean stop, in batches, in one transaction (all or nothing). */
async function saveRecords(db: Kysely<Database>, records: Iterable<MemoryRecord>): Promise<void> {
  const rows = [...records].map((r) => ({ namespace: r.namespace, id: r.id, payload: r.payload, grant_id: r.grantId, uid: r.uid, user_code: r.userCode, expires_at: new Date(r.expiresAt), consumed_at: r.consumedAt === null ? null : new Date(r.consumedAt) }));
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('ephemeral_state').values(rows.slice(i, i + 500)).onConflict((oc) => oc.columns(['namespace', 'id']).doNothing()).execute();
  });
}
