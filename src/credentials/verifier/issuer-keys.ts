/**
 * Where the verifier gets issuer public keys. Either a fixed JWKS (`{ keys }`, e.g. bundled with an
 * app) or a JwksCache that fetches `${issuer}/.well-known/jwt-vc-issuer` for allow-listed issuers
 * once and reuses it for `ttlSeconds`; an unknown `kid` triggers at most one early refresh per
 * `minRefreshSeconds` (key rotation), so forged kids cannot make it fetch per presentation.
 */
import type { JWK } from 'jose';

export interface IssuerKeyResolver {
  /** Trusted public keys of `issuer` at `now`; undefined if the issuer is not trusted. */
  keysFor(issuer: string, now: Date, kid?: string): Promise<readonly JWK[] | undefined>;
}

export type IssuerKeys = { readonly keys: readonly JWK[] } | IssuerKeyResolver;

export function toResolver(keys: IssuerKeys): IssuerKeyResolver {
  if ('keysFor' in keys) return keys;
  return { keysFor: async () => keys.keys };
}

/** Fetches a JSON document; the verifier's only network access. */
export type JsonFetcher = (url: string) => Promise<unknown>;

interface Entry {
  keys: readonly JWK[];
  fetchedAt: number;
}

export function issuerMetadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.origin}/.well-known/jwt-vc-issuer${path}`;
}

export class JwksCache implements IssuerKeyResolver {
  readonly #fetch: JsonFetcher;
  readonly #trusted: ReadonlySet<string>;
  readonly #ttlMs: number;
  readonly #minRefreshMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();

  constructor(options: { fetch: JsonFetcher; trustedIssuers: readonly string[]; ttlSeconds?: number; minRefreshSeconds?: number }) {
    this.#fetch = options.fetch;
    this.#trusted = new Set(options.trustedIssuers);
    this.#ttlMs = (options.ttlSeconds ?? 3600) * 1000;
    this.#minRefreshMs = (options.minRefreshSeconds ?? 60) * 1000;
  }

  async keysFor(issuer: string, now: Date, kid?: string): Promise<readonly JWK[] | undefined> {
    if (!this.#trusted.has(issuer)) return undefined;
    const t = now.getTime();
    let entry = this.#entries.get(issuer);
    const stale = !entry || t - entry.fetchedAt >= this.#ttlMs;
    const unknownKid = entry !== undefined && kid !== undefined && !entry.keys.some((k) => k.kid === kid) && t - entry.fetchedAt >= this.#minRefreshMs;
    if (stale || unknownKid) {
      try {
        entry = await this.#load(issuer, t);
      } catch (error) {
        if (!entry) throw error;
      }
    }
    return entry!.keys;
  }

  #load(issuer: string, t: number): Promise<Entry> {
    let pending = this.#inflight.get(issuer);
    if (!pending) {
      pending = (async () => {
        const doc = (await this.#fetch(issuerMetadataUrl(issuer))) as { issuer?: unknown; jwks?: { keys?: unknown } };
        if (!doc || doc.issuer !== issuer || !Array.isArray(doc.jwks?.keys)) throw new TypeError('issuer metadata without matching issuer and inline jwks');
        const entry = { keys: doc.jwks.keys as JWK[], fetchedAt: t };
        this.#entries.set(issuer, entry);
        return entry;
      })().finally(() => this.#inflight.delete(issuer));
      this.#inflight.set(issuer, pending);
    }
    return pending;
  }
}
