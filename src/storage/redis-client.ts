/**
 * The connection to Redis (NETID_REDIS_URL) through node-redis (`@redis/client`), the client
 * chosen on measurement in docs/adr/0006-redis-ephemeral-store.md, and its RedisCommands for the
 * Redis stores.
 *
 * When Redis is down a request must fail at once with the coded 503, never wait or crash the node:
 * - no offline queue: a command issued while disconnected fails immediately, and when the
 *   connection drops every command waiting for a reply fails instead of being resent (a consume
 *   or an increment that reached Redis would otherwise be applied twice);
 * - a socket timeout, so a Redis that stops answering cannot hold requests open: 3 s without any
 *   data drops the connection and fails what waits on it (the socket's own idle timer, nothing
 *   per command; a PING every second keeps an idle connection from looking dead);
 * - reconnection every ≤ 1 s in the background, so service returns within a second of Redis;
 * - every 'error' event is handled (an unhandled one would end the process), and logged once per
 *   outage rather than once per reconnection attempt.
 */
import { createClient, type RedisClientType, type RedisClusterType } from '@redis/client';
import type { Logger } from 'pino';
import type { RedisCommands, RedisScript } from './redis-commands.ts';

/** Longest Redis may stay silent on the connection before it is dropped and waiting commands fail (503). */
const SOCKET_TIMEOUT_MS = 3000;
const PING_INTERVAL_MS = 1000;
const CONNECT_TIMEOUT_MS = 5000;

/** Options for every connection to Redis, a single server's or each cluster node's. */
export const REDIS_CLIENT_OPTIONS = {
  disableOfflineQueue: true,
  pingInterval: PING_INTERVAL_MS,
  name: 'netid',
  socket: {
    connectTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    reconnectStrategy: (retries: number) => Math.min((retries + 1) * 100, 1000),
  },
} as const;

export interface RedisConnection {
  readonly commands: RedisCommands;
  close(): Promise<void>;
}

type Client = RedisClientType | RedisClusterType;

/** Opens the connection; fails when Redis cannot be reached at start (like the database). */
export async function connectRedis(url: string, logger: Pick<Logger, 'warn' | 'info'>): Promise<RedisConnection> {
  let connected = false;
  const client = createClient({
    url,
    ...REDIS_CLIENT_OPTIONS,
    // Before the first connection, no retry: a wrong URL stops the node instead of retrying in the background forever.
    socket: { ...REDIS_CLIENT_OPTIONS.socket, reconnectStrategy: (retries: number, cause: Error) => (connected ? REDIS_CLIENT_OPTIONS.socket.reconnectStrategy(retries) : cause) },
  }) as RedisClientType;
  watchOutages(client, logger);
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new Error(`cannot reach Redis at NETID_REDIS_URL (${redactedUrl(url)}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  connected = true;
  return { commands: redisCommands(client), close: () => closeClient(client) };
}

/** Logs the start and the end of each outage (the client emits 'error' on every failed reconnection). */
export function watchOutages(client: Client, logger: Pick<Logger, 'warn' | 'info'>): void {
  let down = false;
  client.on('error', (error: unknown) => {
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

/** The RedisCommands over a node-redis client: a single server, or a Redis Cluster. */
export function redisCommands(client: Client): RedisCommands {
  return {
    get: async (key) => (await client.get(key)) as string | null,
    hmget: async (key, fields) => (await client.hmGet(key, [...fields])) as Array<string | null>,
    setWithTtl: async (key, value, ttlMs) => {
      await client.set(key, value, { PX: ttlMs });
    },
    del: async (key) => Number(await client.del(key)),
    run: (script, keys, args) => runScript(client, script, keys, args),
    quit: () => closeClient(client),
  };
}

async function runScript(client: Client, script: RedisScript, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  const options = { keys: [...keys], arguments: args.map(String) };
  try {
    return await client.evalSha(script.sha1, options);
  } catch (error) {
    // A server that restarted, or a cluster node that never ran it, does not know the script yet.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(script.lua, options);
  }
}

async function closeClient(client: Client): Promise<void> {
  if (client.isReady) {
    try {
      await client.close();
      return;
    } catch {
      // fall through: drop the connection
    }
  }
  client.destroy();
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
