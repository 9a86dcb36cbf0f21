/**
 * Counters with a fixed time window, for rate limits (src/http/rate-limit.ts). Behind one small
 * interface so the store can follow the deployment: in this process for the embedded single-node
 * start, in the shared PostgreSQL database when several nodes serve one database (every node sees
 * the same count), and later Redis (INCR + PEXPIRE, the same contract) for a fleet.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface CounterWindow {
  /** Requests counted in the current window, this one included. */
  readonly count: number;
  /** When the current window ends and the count starts again from zero. */
  readonly resetAt: Date;
}

export interface CounterStore {
  /**
   * Adds one to `key` in its current window and returns the count so far. A key's window starts
   * with its first increment and lasts `windowMs`; the first increment after it ended starts a new
   * one. Atomic: concurrent increments of one key never lose a count.
   */
  increment(key: string, windowMs: number): Promise<CounterWindow>;
  /** Deletes counters whose window has ended; returns how many. */
  sweepExpired(): Promise<number>;
}

/**
 * Counters in this process: right for one node (the embedded database allows only one), and free
 * of I/O. At most `maxKeys` keys are kept; past that, ended windows are dropped first, then the
 * oldest keys (whose limit then starts again — the bound keeps a flood of addresses from using up
 * the node's memory).
 */
export class MemoryCounterStore implements CounterStore {
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #now: () => Date;
  readonly #maxKeys: number;

  constructor(deps: { now: () => Date; maxKeys?: number }) {
    this.#now = deps.now;
    this.#maxKeys = deps.maxKeys ?? 100_000;
  }

  async increment(key: string, windowMs: number): Promise<CounterWindow> {
    const now = this.#now().getTime();
    let counter = this.#counters.get(key);
    if (!counter || counter.resetAt <= now) {
      this.#counters.delete(key);
      if (this.#counters.size >= this.#maxKeys) this.#makeRoom(now);
      counter = { count: 0, resetAt: now + windowMs };
      this.#counters.set(key, counter);
    }
    counter.count += 1;
    return { count: counter.count, resetAt: new Date(counter.resetAt) };
  }

  async sweepExpired(): Promise<number> {
    return this.#dropEnded(this.#now().getTime());
  }

  #dropEnded(now: number): number {
    let dropped = 0;
    for (const [key, counter] of this.#counters) {
      if (counter.resetAt <= now) {
        this.#counters.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  #makeRoom(now: number): void {
    if (this.#dropEnded(now) > 0) return;
    // Map iteration is insertion order: the first key is the one whose window started longest ago.
    const oldest = this.#counters.keys().next();
    if (!oldest.done) this.#counters.delete(oldest.value);
  }
}

/**
 * Counters in the rate_limit_counters table (migration 0013): one upsert per increment, so every
 * node on the database shares each count. The clock is the node's (nodes keep NTP time; tests
 * pass their own clock).
 */
export class DatabaseCounterStore implements CounterStore {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Database>; now: () => Date }) {
    this.#db = deps.db;
    this.#now = deps.now;
  }

  async increment(key: string, windowMs: number): Promise<CounterWindow> {
    const now = this.#now();
    const resetAt = new Date(now.getTime() + windowMs);
    // ON CONFLICT DO UPDATE takes the row lock, so concurrent increments of one key serialise.
    const result = await sql<{ count: number; reset_at: Date | string }>`
      INSERT INTO rate_limit_counters (key, count, reset_at) VALUES (${key}, 1, ${resetAt})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limit_counters.reset_at <= ${now} THEN 1 ELSE rate_limit_counters.count + 1 END,
        reset_at = CASE WHEN rate_limit_counters.reset_at <= ${now} THEN excluded.reset_at ELSE rate_limit_counters.reset_at END
      RETURNING count, reset_at`.execute(this.#db);
    const row = result.rows[0]!;
    return { count: Number(row.count), resetAt: new Date(row.reset_at) };
  }

  async sweepExpired(): Promise<number> {
    const result = await sql<{ n: number }>`WITH gone AS (DELETE FROM rate_limit_counters WHERE reset_at <= ${this.#now()} RETURNING 1) SELECT count(*)::int AS n FROM gone`.execute(this.#db);
    return result.rows[0]?.n ?? 0;
  }
}
