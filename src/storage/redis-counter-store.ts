/**
 * Rate-limit counters in Redis (NETID_REDIS_URL with NETID_RATE_LIMIT_STORE=auto): one script per
 * counted request — INCR, and PEXPIRE when the increment started the window — so every node of a
 * fleet shares each count, and a window ends by Redis's TTL (no sweep).
 *
 * The window's end is stored beside the count (a hash: n count, r end in ms by the node's clock)
 * so the answer and Retry-After follow the node's clock like the other counter stores, and a
 * window that ended by that clock starts again even if Redis has not yet expired the key.
 */
import type { CounterStore, CounterWindow } from './counter-store.ts';
import { redisScript, tagged, type RedisCommands } from './redis-commands.ts';
import { unavailableOnFailure } from './redis-ephemeral-store.ts';

/** Adds one to the count of the current window, starting a new window when there is none or it ended; returns {count, end}. */
const INCREMENT = redisScript('netid_counter_increment', `
local r = redis.call('HGET', KEYS[1], 'r')
if not r or tonumber(r) <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  r = ARGV[2]
  redis.call('HSET', KEYS[1], 'r', r)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return { redis.call('HINCRBY', KEYS[1], 'n', 1), r }`);

export class RedisCounterStore implements CounterStore {
  readonly #redis: RedisCommands;
  readonly #now: () => Date;

  constructor(deps: { redis: RedisCommands; now: () => Date }) {
    this.#redis = deps.redis;
    this.#now = deps.now;
  }

  async increment(key: string, windowMs: number): Promise<CounterWindow> {
    const now = this.#now().getTime();
    const [count, resetAt] = (await unavailableOnFailure(() => this.#redis.run(INCREMENT, [`netid:rl:${tagged(key)}`], [now, now + windowMs, windowMs]))) as [number, string];
    return { count: Number(count), resetAt: new Date(Number(resetAt)) };
  }

  /** Redis expires each window's key by its TTL. */
  async sweepExpired(): Promise<number> {
    return 0;
  }
}
