/**
 * The EphemeralStore in Redis (NETID_REDIS_URL), for a fleet of nodes sharing short-lived
 * protocol state (docs/adr/0006-redis-ephemeral-store.md).
 *
 * Keys, laid out for a Redis Cluster (a key's slot is chosen by the text in its `{…}`):
 *
 * | key                          | holds                                                    |
 * |------------------------------|----------------------------------------------------------|
 * | `netid:e:<namespace>:{<id>}`   | the record, a hash: p payload JSON, e expiry (ms), c consumed (ms), g grant id, u uid, uc user code |
 * | `netid:g:{<grantId>}`          | the set of record keys carrying that grant id            |
 * | `netid:u:<namespace>:{<uid>}`  | the id of the record with that uid                        |
 * | `netid:c:<namespace>:{<code>}` | the id of the record with that user code                  |
 *
 * A grant's own record (`Grant`, whose id is the grant id) and its member set share the tag
 * `{grantId}`. The tokens and codes of a grant cannot: oidc-provider looks them up by their own
 * random id, which does not name the grant, so each sits in its own slot and a lookup is one
 * command. Every script touches the keys of one tag only; revocation therefore takes the member
 * set in one script and deletes each member with a script of its own (one round trip, pipelined).
 *
 * Expiry: each key gets a Redis TTL (the record's expiry less the node's clock), so Redis reclaims
 * the space and `sweepExpired` has nothing to do. Whether a record is live is still judged by the
 * node's clock against the stored expiry, like the database store, so the contract holds with a
 * test clock and a few milliseconds of skew between a node and Redis cannot revive a record.
 * The TTL is relative (PEXPIRE), not absolute (PEXPIREAT): an absolute time would be read by
 * Redis's clock, and a node's test clock in the past would make every key vanish at once.
 */
import { StoreUnavailableError, type EphemeralPut, type EphemeralRecord, type EphemeralStore } from './ephemeral-store.ts';
import { redisScript, tagged, type RedisCommands } from './redis-commands.ts';

/** Replaces the record (or, with ARGV[2] = 1, only writes it when no live record has the key), sets its TTL. */
const PUT = redisScript('netid_ephemeral_put', `
if ARGV[2] == '1' then
  local e = redis.call('HGET', KEYS[1], 'e')
  if e and tonumber(e) > tonumber(ARGV[3]) then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`);

/** Adds a record key to its grant's set; the set lives as long as its longest-lived member. */
const GRANT_ADD = redisScript('netid_ephemeral_grant_add', `
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`);

/** Takes (reads and deletes) a grant's member set, so two revocations never both count a member. */
const GRANT_TAKE = redisScript('netid_ephemeral_grant_take', `
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return members`);

/** Deletes a member record if it still carries the grant id (it may have been replaced since). */
const DELETE_IF_GRANT = redisScript('netid_ephemeral_delete_if_grant', `
if redis.call('HGET', KEYS[1], 'g') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** Marks a live, unconsumed record consumed; 1 for the first caller only. */
const CONSUME = redisScript('netid_ephemeral_consume', `
local e = redis.call('HGET', KEYS[1], 'e')
if not e or tonumber(e) <= tonumber(ARGV[1]) then return 0 end
return redis.call('HSETNX', KEYS[1], 'c', ARGV[1])`);

/** Model names and netid's own namespaces; anything else in a key would be a programming mistake. */
const NAMESPACE = /^[A-Za-z][A-Za-z0-9_.-]*$/;

function checkNamespace(namespace: string): string {
  if (!NAMESPACE.test(namespace)) throw new TypeError(`ephemeral namespace ${JSON.stringify(namespace)} is not a plain name`);
  return namespace;
}

const recordKey = (namespace: string, id: string) => `netid:e:${checkNamespace(namespace)}:${tagged(id)}`;
const grantKey = (grantId: string) => `netid:g:${tagged(grantId)}`;
const uidKey = (namespace: string, uid: string) => `netid:u:${checkNamespace(namespace)}:${tagged(uid)}`;
const userCodeKey = (namespace: string, userCode: string) => `netid:c:${checkNamespace(namespace)}:${tagged(userCode)}`;

const FIELDS = ['p', 'e', 'c'] as const;

function toRecord([payload, expiresAt, consumedAt]: ReadonlyArray<string | null>, now: number): EphemeralRecord | null {
  if (payload == null || expiresAt == null || Number(expiresAt) <= now) return null;
  return { payload: JSON.parse(payload) as Record<string, unknown>, expiresAt: new Date(Number(expiresAt)), consumedAt: consumedAt == null ? null : new Date(Number(consumedAt)) };
}

export class RedisEphemeralStore implements EphemeralStore {
  readonly #redis: RedisCommands;
  readonly #now: () => Date;

  constructor(deps: { redis: RedisCommands; now: () => Date }) {
    this.#redis = deps.redis;
    this.#now = deps.now;
  }

  put(namespace: string, id: string, record: EphemeralPut): Promise<void> {
    return this.#write(namespace, id, record, false).then(() => undefined);
  }

  putIfAbsent(namespace: string, id: string, record: EphemeralPut): Promise<boolean> {
    return this.#write(namespace, id, record, true);
  }

  async #write(namespace: string, id: string, record: EphemeralPut, onlyIfAbsent: boolean): Promise<boolean> {
    const key = recordKey(namespace, id);
    const now = this.#now().getTime();
    const expiresAt = record.expiresAt.getTime();
    // At least 1 ms: PEXPIRE 0 would delete the key, which is what an expired record amounts to anyway.
    const ttl = Math.max(1, expiresAt - now);
    const fields: string[] = ['p', JSON.stringify(record.payload), 'e', String(expiresAt)];
    if (record.grantId != null) fields.push('g', record.grantId);
    if (record.uid != null) fields.push('u', record.uid);
    if (record.userCode != null) fields.push('uc', record.userCode);
    return unavailableOnFailure(async () => {
      const written = this.#redis.run(PUT, [key], [ttl, onlyIfAbsent ? '1' : '0', now, ...fields]);
      if (onlyIfAbsent && (await written) !== 1) return false;
      // Issued together (one round trip). Should one of these fail, the put fails and its token is
      // never handed out, so a record outside its grant's set is one nobody holds.
      await Promise.all([
        written,
        record.grantId != null ? this.#redis.run(GRANT_ADD, [grantKey(record.grantId)], [key, ttl]) : null,
        record.uid != null ? this.#redis.setWithTtl(uidKey(namespace, record.uid), id, ttl) : null,
        record.userCode != null ? this.#redis.setWithTtl(userCodeKey(namespace, record.userCode), id, ttl) : null,
      ]);
      return true;
    });
  }

  async get(namespace: string, id: string): Promise<EphemeralRecord | null> {
    const key = recordKey(namespace, id);
    return toRecord(await unavailableOnFailure(() => this.#redis.hmget(key, FIELDS)), this.#now().getTime());
  }

  async consume(namespace: string, id: string): Promise<boolean> {
    const key = recordKey(namespace, id);
    return (await unavailableOnFailure(() => this.#redis.run(CONSUME, [key], [this.#now().getTime()]))) === 1;
  }

  async destroy(namespace: string, id: string): Promise<void> {
    // The uid, user-code and grant entries that named it are left to expire: every lookup through
    // them checks that the record still exists and still carries what it was found by.
    const key = recordKey(namespace, id);
    await unavailableOnFailure(() => this.#redis.del(key));
  }

  async revokeByGrantId(grantId: string): Promise<number> {
    return unavailableOnFailure(async () => {
      const members = (await this.#redis.run(GRANT_TAKE, [grantKey(grantId)], [])) as string[];
      const deleted = await Promise.all(members.map((member) => this.#redis.run(DELETE_IF_GRANT, [member], [grantId])));
      return deleted.reduce<number>((sum, n) => sum + Number(n), 0);
    });
  }

  findByUid(namespace: string, uid: string) {
    return this.#findThrough(namespace, uidKey(namespace, uid), 'u', uid);
  }

  findByUserCode(namespace: string, userCode: string) {
    return this.#findThrough(namespace, userCodeKey(namespace, userCode), 'uc', userCode);
  }

  async #findThrough(namespace: string, indexKey: string, field: 'u' | 'uc', value: string): Promise<(EphemeralRecord & { id: string }) | null> {
    return unavailableOnFailure(async () => {
      const id = await this.#redis.get(indexKey);
      if (id == null) return null;
      const [payload, expiresAt, consumedAt, carried] = await this.#redis.hmget(recordKey(namespace, id), [...FIELDS, field]);
      if (carried !== value) return null;
      const record = toRecord([payload ?? null, expiresAt ?? null, consumedAt ?? null], this.#now().getTime());
      return record ? { ...record, id } : null;
    });
  }

  /** Redis expires every key by its TTL; there is nothing to sweep. */
  async sweepExpired(): Promise<number> {
    return 0;
  }
}

/** Runs a Redis call; any failure to get an answer becomes the coded 503 (the cause is kept for the log). */
export async function unavailableOnFailure<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof TypeError) throw error;
    throw new StoreUnavailableError(error);
  }
}
