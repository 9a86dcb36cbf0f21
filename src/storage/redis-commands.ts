/**
 * The few Redis commands netid's Redis stores use (redis-ephemeral-store.ts, redis-counter-store.ts),
 * behind one small interface so the client library is a choice made in one file (redis-client.ts,
 * ADR 0006) and the benchmark can run the same stores over the other candidates.
 *
 * Every multi-key operation is a Lua script whose keys share one hash tag, so the stores work
 * unchanged on a Redis Cluster (a script or command whose keys lie in different slots is refused
 * there with CROSSSLOT).
 */
import { createHash } from 'node:crypto';

/** A Lua script, sent by its SHA-1 (EVALSHA) once the server knows it. */
export interface RedisScript {
  readonly name: string;
  readonly lua: string;
  readonly sha1: string;
}

export function redisScript(name: string, lua: string): RedisScript {
  return { name, lua, sha1: createHash('sha1').update(lua).digest('hex') };
}

export interface RedisCommands {
  get(key: string): Promise<string | null>;
  hmget(key: string, fields: readonly string[]): Promise<Array<string | null>>;
  /** SET key value PX ttlMs. */
  setWithTtl(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<number>;
  /** Runs `script` (EVALSHA, loading it on NOSCRIPT); every key must share one hash tag. */
  run(script: RedisScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Closes the connection (pending commands finish first). */
  quit(): Promise<void>;
}

/**
 * The hash-tagged part of a key: Redis Cluster places a key by the text between its first `{` and
 * the next `}`, so keys built with the same `tagged(x)` always share a slot.
 */
export const tagged = (value: string): string => `{${value}}`;
