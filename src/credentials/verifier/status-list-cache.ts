/**
 * Status lists as a verifier sees them: fetched once per list URI, signature-checked with the
 * issuer's keys, and reused until the token's `ttl` runs out (or `defaultTtlSeconds` when it has
 * none). Concurrent lookups share one fetch. If a refresh fails, the cached list is used while its
 * `exp` has not passed; otherwise the status is unavailable. The issuer learns only that some
 * verifier fetched a list of a million credentials.
 */
import { decodeStatusListBytes, statusAt, type BitsPerStatus } from '../status/bitset.ts';
import { STATUS_LIST_JWT_TYP } from '../status/status-list-token.ts';
import type { IssuerKeyResolver } from './issuer-keys.ts';
import { parseJws, verifyJwsSignature } from './jws.ts';

/** Fetches a status-list token (compact JWT) by URI. */
export type StatusListFetcher = (uri: string) => Promise<string>;

export interface StatusLookup {
  /** Status value (0 = valid) of `index` in the list at `uri`, or undefined if unavailable. */
  status(uri: string, index: number, issuer: string, now: Date): Promise<number | undefined>;
}

interface Entry {
  readonly bytes: Uint8Array;
  readonly bits: BitsPerStatus;
  readonly refreshAt: number;
  readonly exp: number;
}

export class StatusListCache implements StatusLookup {
  readonly #fetch: StatusListFetcher;
  readonly #keys: IssuerKeyResolver;
  readonly #defaultTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry | undefined>>();

  constructor(options: { fetch: StatusListFetcher; issuerKeys: IssuerKeyResolver; defaultTtlSeconds?: number; maxTtlSeconds?: number }) {
    this.#fetch = options.fetch;
    this.#keys = options.issuerKeys;
    this.#defaultTtlMs = (options.defaultTtlSeconds ?? 300) * 1000;
    this.#maxTtlMs = (options.maxTtlSeconds ?? 86_400) * 1000;
  }

  async status(uri: string, index: number, issuer: string, now: Date): Promise<number | undefined> {
    const t = now.getTime();
    let entry = this.#entries.get(uri);
    if (!entry || t >= entry.refreshAt) {
      const fresh = await this.#load(uri, issuer, now);
      if (fresh) entry = fresh;
    }
    if (!entry || t >= entry.exp) return undefined;
    try {
      return statusAt(entry.bytes, entry.bits, index);
    } catch {
      return undefined;
    }
  }

  #load(uri: string, issuer: string, now: Date): Promise<Entry | undefined> {
    let pending = this.#inflight.get(uri);
    if (!pending) {
      pending = this.#fetchAndCheck(uri, issuer, now)
        .catch(() => undefined)
        .finally(() => this.#inflight.delete(uri));
      this.#inflight.set(uri, pending);
    }
    return pending;
  }

  async #fetchAndCheck(uri: string, issuer: string, now: Date): Promise<Entry> {
    const token = parseJws(await this.#fetch(uri));
    const { header, payload } = token;
    if (header.typ !== STATUS_LIST_JWT_TYP) throw new TypeError('not a status list token');
    if (payload.sub !== uri) throw new TypeError('status list token is for another URI');
    if (payload.iss !== undefined && payload.iss !== issuer) throw new TypeError('status list token from another issuer');
    const keys = (await this.#keys.keysFor(issuer, now, typeof header.kid === 'string' ? header.kid : undefined)) ?? [];
    const candidates = typeof header.kid === 'string' ? keys.filter((k) => k.kid === header.kid) : keys;
    if (!candidates.some((k) => verifyJwsSignature(token, k))) throw new TypeError('status list token signature invalid');
    const t = now.getTime();
    const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
    if (t >= exp) throw new TypeError('status list token expired');
    const list = payload.status_list as { bits?: unknown; lst?: unknown } | undefined;
    if (!list || ![1, 2, 4, 8].includes(list.bits as number) || typeof list.lst !== 'string') throw new TypeError('status_list malformed');
    const ttlMs = typeof payload.ttl === 'number' && payload.ttl >= 0 ? Math.min(payload.ttl * 1000, this.#maxTtlMs) : this.#defaultTtlMs;
    const entry: Entry = { bytes: decodeStatusListBytes(list.lst), bits: list.bits as BitsPerStatus, refreshAt: Math.min(t + ttlMs, exp), exp };
    this.#entries.set(uri, entry);
    return entry;
  }
}
