/**
 * Builds and serves the signed status-list token of each list. The token is kept in
 * `status_list_tokens` so every node serves the same bytes (and ETag) until `refresh_at`
 * (signed_at + ttl); then the first request signs a new one from the list's revoked indexes.
 * Revocation deletes the row, so the bits are current at the issuer at once; verifiers see them
 * after their cached copy's ttl.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { KeyStore } from '../../keys/key-store.ts';
import type { Database } from '../../storage/schema.ts';
import { statusListUri } from '../claims.ts';
import { StatusBitset } from '../status/bitset.ts';
import { signStatusListToken } from '../status/status-list-token.ts';

export interface PublishedStatusList {
  readonly token: string;
  /** Strong ETag (quoted SHA-256 of the token). */
  readonly etag: string;
  /** Seconds a cache may keep this token: what is left of its ttl. */
  readonly maxAgeSeconds: number;
}

export interface StatusListPublisherDeps {
  readonly db: Kysely<Database>;
  readonly keyStore: KeyStore;
  readonly issuer: string;
  readonly now: () => Date;
  /** The token's `ttl` and how long a signed token is served (default 900 s). */
  readonly ttlSeconds?: number;
  /** The token's lifetime: `exp` = iat + this (default 1 day). */
  readonly validitySeconds?: number;
}

export class StatusListPublisher {
  readonly #deps: StatusListPublisherDeps;
  readonly ttlSeconds: number;

  constructor(deps: StatusListPublisherDeps) {
    this.#deps = deps;
    this.ttlSeconds = deps.ttlSeconds ?? 900;
  }

  /** The list's bits as stored: 1 for each revoked index. */
  async revocations(listId: number): Promise<StatusBitset | null> {
    const list = await this.#deps.db.selectFrom('status_lists').select(['size']).where('list_id', '=', listId).executeTakeFirst();
    if (!list) return null;
    const bitset = new StatusBitset(list.size);
    const rows = await this.#deps.db.selectFrom('status_entries').select(['idx']).where('list_id', '=', listId).where('revoked_at', 'is not', null).execute();
    for (const { idx } of rows) bitset.set(idx, 1);
    return bitset;
  }

  /** The current token of a list, signing a fresh one when the stored one is due; null if no such list. */
  async token(listId: number): Promise<PublishedStatusList | null> {
    const { db } = this.#deps;
    const now = this.#deps.now();
    const stored = await db.selectFrom('status_list_tokens').selectAll().where('list_id', '=', listId).executeTakeFirst();
    if (stored && stored.refresh_at.getTime() > now.getTime() && stored.signed_at.getTime() <= now.getTime()) {
      return { token: stored.token, etag: stored.etag, maxAgeSeconds: Math.floor((stored.refresh_at.getTime() - now.getTime()) / 1000) };
    }
    const bitset = await this.revocations(listId);
    if (!bitset) return null;
    const token = await signStatusListToken({
      keyStore: this.#deps.keyStore,
      clock: () => now,
      issuer: this.#deps.issuer,
      uri: statusListUri(this.#deps.issuer, listId),
      bitset,
      ttlSeconds: this.ttlSeconds,
      validitySeconds: this.#deps.validitySeconds,
    });
    const etag = `"${createHash('sha256').update(token).digest('base64url')}"`;
    const refreshAt = new Date(now.getTime() + this.ttlSeconds * 1000);
    await db
      .insertInto('status_list_tokens')
      .values({ list_id: listId, token, etag, signed_at: now, refresh_at: refreshAt })
      .onConflict((oc) => oc.column('list_id').doUpdateSet({ token, etag, signed_at: now, refresh_at: refreshAt }))
      .execute();
    return { token, etag, maxAgeSeconds: this.ttlSeconds };
  }
}
