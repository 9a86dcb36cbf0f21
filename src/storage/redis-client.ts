/**
 * The connection to Redis (NETID_REDIS_URL) through ioredis, the client chosen on measurement in
 * docs/adr/0006-redis-ephemeral-store.md, and its RedisCommands for the Redis stores.
 *
 * When Redis is down a request must fail at once with the coded 503, never wait or crash the node:
 * - no offline queue: a command issued while disconnected fails immediately;
 * - no resending after a dropped connection (maxRetriesPerRequest 0): a consume or an increment
 *   that reached Redis before the connection dropped would otherwise be applied twice;
 * - a socket timeout, so a Redis that stops answering cannot hold requests open: when commands are
 *   waiting and nothing arrives for 2 s the connection is dropped and they fail (one timer per
 *   connection; ioredis's per-command `commandTimeout` cost ~40 µs of CPU per command in the bench);
 * - reconnection every ≤ 1 s in the background, so service returns within a second of Redis;
 * - every 'error' event is handled (an unhandled one would end the process), and logged once per
 *   outage rather than once per reconnection attempt.
 */
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisCommands, RedisScript } from './redis-commands.ts';

/** Longest Redis may stay silent while commands wait before they fail (503). */
const SOCKET_TIMEOUT_MS = 2000;
const CONNECT_TIMEOUT_MS = 5000;

export interface RedisConnection {
  readonly commands: RedisCommands;
  close(): Promise<void>;
}

/** Opens the connection; fails when Redis cannot be reached at start (like the database). */
export async function connectRedis(url: string, logger: Pick<Logger, 'warn' | 'info'>): Promise<RedisConnection> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    socketTimeout: SOCKET_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    connectionName: 'netid',
  });
  watchOutages(client, logger);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at NETID_REDIS_URL (${redactedUrl(url)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { commands: redisCommands(client), close: () => closeClient(client) };
}

/** Logs the start and the end of each outage (ioredis emits 'error' on every failed reconnection). */
export function watchOutages(client: Redis | Cluster, logger: Pick<Logger, 'warn' | 'info'>): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error }, 'Redis unreachable: requests that need it answer 503 storage.unavailable until it is back');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('Redis reachable again');
  });
}

/** The RedisCommands over an ioredis client: a single server, or a Redis Cluster. */
export function redisCommands(client: Redis | Cluster): RedisCommands {
  return {
    get: (key) => client.get(key),
    hmget: (key, fields) => client.hmget(key, ...fields),
    setWithTtl: async (key, value, ttlMs) => {
      await client.set(key, value, 'PX', ttlMs);
    },
    del: (key) => client.del(key),
    run: (script, keys, args) => runScript(client, script, keys, args),
    quit: () => closeClient(client),
  };
}

async function runScript(client: Redis | Cluster, script: RedisScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  try {
    return await client.evalsha(script.sha1, keys.length, ...keys, ...args);
  } catch (error) {
    // A server that restarted, or a cluster node that never ran it, does not know the script yet.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.lua, keys.length, ...keys, ...args);
  }
}

async function closeClient(client: Redis | Cluster): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  client.disconnect();
}

/** The URL without its password, for error messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}
