/**
 * Abuse limits (docs/integration.md, Limits). A route names the limits it falls under in its
 * config — `config: limited('passkey_options')` — and this file counts and refuses: past a limit
 * the answer is 429 `request.rate_limited` with Retry-After, before the handler runs, so a refused
 * request stores nothing. Each limit has one budget per client address (or per passkey credential)
 * shared by every route that names it, and a configuration key (src/config/schema.ts) so a load
 * test from one address can raise it.
 *
 * Counting goes through @fastify/rate-limit with a custom store over a CounterStore
 * (src/storage/counter-store.ts): in this process for a single node, in the shared PostgreSQL
 * database when several nodes serve it, so two nodes never accept twice the limit.
 */
import { createHash } from 'node:crypto';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Config } from '../config/schema.ts';
import { DatabaseCounterStore, MemoryCounterStore, type CounterStore } from '../storage/counter-store.ts';
import type { DatabaseHandle } from '../storage/database.ts';
import { RedisCounterStore } from '../storage/redis-counter-store.ts';
import type { RedisCommands } from '../storage/redis-commands.ts';
import { scheduleSweep } from '../storage/ephemeral-store.ts';
import { HttpError } from './error-mapper.ts';

/** Who a limit's budget belongs to: the client address (IPv6 by /64), or the passkey credential a response names. */
type CountedBy = 'address' | 'credential';

/** Every limit: what it counts by and the configuration key of its maximum per minute. */
export const LIMITS = {
  enrolment_start: { by: 'address', key: 'NETID_ENROLMENT_STARTS_PER_MINUTE' },
  recovery_start: { by: 'address', key: 'NETID_RECOVERY_STARTS_PER_MINUTE' },
  enrolment_step: { by: 'address', key: 'NETID_ENROLMENT_STEPS_PER_MINUTE' },
  passkey_options: { by: 'address', key: 'NETID_PASSKEY_OPTIONS_PER_MINUTE' },
  passkey_verification: { by: 'address', key: 'NETID_PASSKEY_VERIFICATIONS_PER_MINUTE' },
  passkey_credential: { by: 'credential', key: 'NETID_PASSKEY_VERIFICATIONS_PER_CREDENTIAL_PER_MINUTE' },
  sign_in_start: { by: 'address', key: 'NETID_SIGN_IN_STARTS_PER_MINUTE' },
  scan_poll: { by: 'address', key: 'NETID_SCAN_POLLS_PER_MINUTE' },
} as const satisfies Record<string, { by: CountedBy; key: keyof Config }>;

export type LimitName = keyof typeof LIMITS;

const WINDOW_MS = 60_000;

export interface RouteLimits {
  readonly names: readonly LimitName[];
  /** Requests this returns true for are not counted (a catch-all route whose back-channel endpoints are not limited). */
  readonly skip?: (request: FastifyRequest) => boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The abuse limits this route falls under (src/http/rate-limit.ts). */
    limits?: RouteLimits;
  }
}

/** Route config naming the limits a route falls under: `config: limited('passkey_verification', 'passkey_credential')`. */
export function limited(...names: LimitName[]): { limits: RouteLimits } {
  return { limits: { names } };
}

/** Like `limited`, for a catch-all route where `skip` tells which requests are not counted. */
export function limitedUnless(skip: (request: FastifyRequest) => boolean, ...names: LimitName[]): { limits: RouteLimits } {
  return { limits: { names, skip } };
}

export interface RateLimitSettings {
  readonly counters: CounterStore;
  /** Maximum per minute of each limit. */
  readonly max: Readonly<Record<LimitName, number>>;
  /** Keeps the listeners' budgets apart (console sign-ins on loopback do not use up the public ones). */
  readonly listener: string;
  /** The clock the counters use, for Retry-After. */
  readonly now: () => Date;
}

export interface RateLimitCounters {
  readonly counters: CounterStore;
  readonly max: Readonly<Record<LimitName, number>>;
  readonly now: () => Date;
  /** Stops the sweep of ended windows. */
  stop(): void;
}

/** The node's counters (NETID_RATE_LIMIT_STORE; Redis when the node has a connection and the store is `auto`) and limits, with a sweep of ended windows every minute. */
export function startRateLimitCounters(config: Config, database: DatabaseHandle, redis: RedisCommands | null, now: () => Date, onError: (error: unknown) => void): RateLimitCounters {
  const shared = config.NETID_RATE_LIMIT_STORE === 'database' || (config.NETID_RATE_LIMIT_STORE === 'auto' && config.DATABASE_URL !== undefined);
  const counters = redis && config.NETID_RATE_LIMIT_STORE === 'auto' ? new RedisCounterStore({ redis, now }) : shared ? new DatabaseCounterStore({ db: database.db, now }) : new MemoryCounterStore({ now });
  const max = Object.fromEntries(Object.entries(LIMITS).map(([name, limit]) => [name, config[limit.key]])) as Record<LimitName, number>;
  return { counters, max, now, stop: scheduleSweep(counters, WINDOW_MS, onError) };
}

/** NETID_TRUSTED_PROXIES as fastify's `trustProxy`: the proxies' addresses, or false (X-Forwarded-For ignored). */
export function trustedProxies(config: Pick<Config, 'NETID_TRUSTED_PROXIES'>): string[] | false {
  const proxies = config.NETID_TRUSTED_PROXIES.split(',').map((p) => p.trim()).filter(Boolean);
  return proxies.length ? proxies : false;
}

/**
 * @fastify/rate-limit's store over a CounterStore. The plugin builds it with `new`, so the
 * CounterStore is bound into a class here.
 */
function pluginStore(counters: CounterStore, now: () => Date) {
  return class CounterStoreAdapter {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      counters.increment(key, timeWindow).then(
        (window) => callback(null, { current: window.count, ttl: Math.max(0, window.resetAt.getTime() - now().getTime()) }),
        (error: Error) => callback(error),
      );
    }

    child(): CounterStoreAdapter {
      return this;
    }
  };
}

/** A route and the limits it names (for the test that every unauthenticated write is limited). */
export interface LimitedRoute {
  readonly method: string;
  readonly url: string;
  readonly limits: readonly LimitName[];
}

const limitedRoutes = new WeakMap<FastifyInstance, LimitedRoute[]>();

/** The routes of a listener that name limits. */
export function limitedRoutesOf(app: FastifyInstance): readonly LimitedRoute[] {
  return limitedRoutes.get(app) ?? [];
}

const hashed = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/** The credential id a passkey response names (hashed: ids may be up to 1 KiB), or null. */
function credentialOf(request: FastifyRequest): string | null {
  const id = (request.body as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && id.length > 0 ? hashed(id) : null;
}

/**
 * Registers @fastify/rate-limit with the counter store, and enforces the limits routes name:
 * address limits when the request arrives (before its body is read), credential limits once the
 * body is parsed and valid. Call before the route modules are registered.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings): Promise<void> {
  // Off by default (`global: false`): only the routes below are counted.
  await app.register(rateLimit, { global: false, store: pluginStore(settings.counters, settings.now) });
  const checkers = new Map<LimitName, ReturnType<FastifyInstance['createRateLimit']>>();
  for (const [name, limit] of Object.entries(LIMITS) as [LimitName, (typeof LIMITS)[LimitName]][]) {
    const prefix = `${settings.listener}:${name}:`;
    checkers.set(name, app.createRateLimit({
      max: settings.max[name],
      timeWindow: WINDOW_MS,
      keyGenerator: limit.by === 'address' ? (request) => prefix + normalizeIP(request.ip, 64) : (request) => prefix + credentialOf(request),
    }));
  }

  const enforce = (names: readonly LimitName[], skip: RouteLimits['skip']): onRequestAsyncHookHandler => async (request: FastifyRequest, reply: FastifyReply) => {
    if (skip?.(request)) return;
    for (const name of names) {
      if (LIMITS[name].by === 'credential' && credentialOf(request) === null) continue;
      const result = await checkers.get(name)!(request);
      if (!result.isAllowed && result.isExceeded) {
        reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
        throw HttpError('request.rate_limited', { limit: name });
      }
    }
  };

  const listed: LimitedRoute[] = [];
  limitedRoutes.set(app, listed);
  app.addHook('onRoute', (route) => {
    const limits = route.config?.limits;
    if (!limits) return;
    for (const method of [route.method].flat()) listed.push({ method, url: route.url, limits: limits.names });
    const byAddress = limits.names.filter((n) => LIMITS[n].by === 'address');
    const byCredential = limits.names.filter((n) => LIMITS[n].by === 'credential');
    const add = (hook: 'onRequest' | 'preHandler', handler: onRequestAsyncHookHandler) => {
      const existing = route[hook];
      route[hook] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), handler] as never;
    };
    if (byAddress.length) add('onRequest', enforce(byAddress, limits.skip));
    if (byCredential.length) add('preHandler', enforce(byCredential, limits.skip));
  });
}
