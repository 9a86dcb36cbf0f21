/**
 * A person's grants to each app, so the person can disconnect an app: every grant netid saves
 * for (person, app) is remembered in an index record, and disconnecting destroys those grants
 * with every token, code and refresh token that carries their grant id (oidc-provider's
 * `revokeByGrantId`), and forgets the remembered plaintext consent, so the next sign-in asks again.
 *
 * The index lives in the EphemeralStore beside the grants it names and expires with the longest
 * of them; it holds opaque ids only, keyed by the person's and the app's ids (no join across
 * people, SCALE.md).
 */
import type { Kysely } from 'kysely';
import type { ActivityRepository } from '../audit/activity.ts';
import { DatabaseEphemeralStore, type EphemeralStore } from '../storage/ephemeral-store.ts';
import type { Database } from '../storage/schema.ts';

/** oidc-provider's Grant lifetime (provider.ts `ttl.Grant`); the index lives as long. */
export const GRANT_TTL_SECONDS = 180 * 24 * 3600;
/** Plaintext claims a person chose to share with an app without being asked each time. */
export const CONSENT_MEMORY = 'NetidConsentMemory';
const GRANT_INDEX = 'NetidPersonGrants';
/** A person signs in to one app from a handful of browsers; older grant ids beyond this are revoked at once. */
const MAX_GRANTS_PER_APP = 32;

export interface DisconnectOutcome {
  /** Grants destroyed. */
  readonly grants: number;
  /** Tokens, codes and refresh tokens destroyed with them. */
  readonly tokens: number;
}

const key = (personId: string, clientId: string) => `${personId}:${clientId}`;

export class PersonGrants {
  readonly #store: EphemeralStore;
  readonly #now: () => Date;

  constructor(deps: { store: EphemeralStore; now: () => Date }) {
    this.#store = deps.store;
    this.#now = deps.now;
  }

  /** Remembers that `grantId` belongs to (person, app). Called each time a grant is saved. */
  async remember(personId: string, clientId: string, grantId: string): Promise<void> {
    const ids = await this.grantIds(personId, clientId);
    if (ids.includes(grantId)) return;
    const kept = [...ids, grantId];
    // Past the cap, the oldest grants are revoked now rather than left unreachable by a disconnect.
    for (const old of kept.splice(0, Math.max(0, kept.length - MAX_GRANTS_PER_APP))) await this.#revokeGrant(old);
    await this.#store.put(GRANT_INDEX, key(personId, clientId), { payload: { grant_ids: kept }, expiresAt: new Date(this.#now().getTime() + GRANT_TTL_SECONDS * 1000) });
  }

  async grantIds(personId: string, clientId: string): Promise<string[]> {
    const record = await this.#store.get(GRANT_INDEX, key(personId, clientId));
    return ((record?.payload.grant_ids as string[] | undefined) ?? []).map(String);
  }

  /** Plaintext claims remembered for (person, app). */
  async rememberedPlaintext(personId: string, clientId: string): Promise<Set<string>> {
    return new Set(((await this.#store.get(CONSENT_MEMORY, key(personId, clientId)))?.payload.claims as string[] | undefined) ?? []);
  }

  async rememberPlaintext(personId: string, clientId: string, claims: readonly string[]): Promise<void> {
    await this.#store.put(CONSENT_MEMORY, key(personId, clientId), { payload: { claims: [...claims] }, expiresAt: new Date(this.#now().getTime() + 365 * 24 * 3600_000) });
  }

  /** Revokes every grant of (person, app) and everything issued under them; forgets remembered consent. */
  async disconnect(personId: string, clientId: string): Promise<DisconnectOutcome> {
    const ids = await this.grantIds(personId, clientId);
    let tokens = 0;
    for (const grantId of ids) tokens += await this.#revokeGrant(grantId);
    await this.#store.destroy(GRANT_INDEX, key(personId, clientId));
    await this.#store.destroy(CONSENT_MEMORY, key(personId, clientId));
    return { grants: ids.length, tokens };
  }

  async #revokeGrant(grantId: string): Promise<number> {
    // Tokens and codes carry the grant id; the Grant record itself is stored under it.
    const tokens = await this.#store.revokeByGrantId(grantId);
    await this.#store.destroy('Grant', grantId);
    return tokens;
  }
}

/** The grants index over the node's EphemeralStore (the same store oidc-provider's adapter uses). */
export function personGrantsOf(deps: { db: Kysely<Database>; now: () => Date }): PersonGrants {
  return new PersonGrants({ store: new DatabaseEphemeralStore(deps), now: deps.now });
}

/**
 * The person disconnects an app: its grants and tokens are revoked, and the act is in the
 * person's activity (what was revoked, never any claim value).
 */
export async function disconnectApp(deps: { grants: PersonGrants; activity: ActivityRepository; now: () => Date }, personId: string, clientId: string): Promise<DisconnectOutcome> {
  const outcome = await deps.grants.disconnect(personId, clientId);
  await deps.activity.record({ personId, type: 'app.disconnected', occurredAt: deps.now(), relyingPartyId: clientId, details: { grants_revoked: outcome.grants, tokens_revoked: outcome.tokens } });
  return outcome;
}
