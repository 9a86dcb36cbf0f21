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
import type { ActivityEntry, ActivityRepository } from '../audit/activity.ts';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';

/** oidc-provider's Grant lifetime (provider.ts `ttl.Grant`); the grants index lives as long. */
export const GRANT_TTL_SECONDS = 180 * 24 * 3600;
/** Plaintext claims a person chose to share with an app without being asked each time. */
const CONSENT_MEMORY = 'NetidConsentMemory';
const GRANT_INDEX = 'NetidPersonGrants';
/** A person signs in to one app from a handful of browsers; older grant ids beyond this are revoked at once. */
const MAX_GRANTS_PER_APP = 32;

export interface DisconnectOutcome {
  /** Grants destroyed. */
  readonly grants: number;
  /** Tokens, codes and refresh tokens destroyed with them. */
  readonly tokens: number;
  /** The OpenID sessions (`sid`) the app knew the person by: each gets a back-channel logout. */
  readonly sids: readonly string[];
}

/** Tells an app that the person disconnected it (OpenID Connect Back-Channel Logout); wired by src/oidc/routes.ts. */
export type DisconnectNotifier = (personId: string, clientId: string, sids: readonly string[]) => Promise<{ notified: boolean }>;

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
    const index = await this.#index(personId, clientId);
    if (index.grantIds.includes(grantId)) return;
    const kept = [...index.grantIds, grantId];
    // Past the cap, the oldest grants are revoked now rather than left unreachable by a disconnect.
    for (const old of kept.splice(0, Math.max(0, kept.length - MAX_GRANTS_PER_APP))) await this.#revokeGrant(old);
    await this.#save(personId, clientId, { grantIds: kept, sids: index.sids });
  }

  /** Remembers the OpenID session id the app received (`sid`), so a disconnect can log that session out at the app. */
  async rememberSession(personId: string, clientId: string, sid: string): Promise<void> {
    const index = await this.#index(personId, clientId);
    if (index.sids.includes(sid)) return;
    await this.#save(personId, clientId, { grantIds: index.grantIds, sids: [...index.sids, sid].slice(-MAX_GRANTS_PER_APP) });
  }

  async grantIds(personId: string, clientId: string): Promise<string[]> {
    return (await this.#index(personId, clientId)).grantIds;
  }

  /** The OpenID session ids (`sid`) the app knew the person by, kept (an account recovery logs them out at the app and keeps the grants). */
  async sessionIds(personId: string, clientId: string): Promise<string[]> {
    return (await this.#index(personId, clientId)).sids;
  }

  async #index(personId: string, clientId: string): Promise<{ grantIds: string[]; sids: string[] }> {
    const payload = (await this.#store.get(GRANT_INDEX, key(personId, clientId)))?.payload;
    return { grantIds: ((payload?.grant_ids as unknown[] | undefined) ?? []).map(String), sids: ((payload?.sids as unknown[] | undefined) ?? []).map(String) };
  }

  async #save(personId: string, clientId: string, index: { grantIds: string[]; sids: string[] }): Promise<void> {
    await this.#store.put(GRANT_INDEX, key(personId, clientId), { payload: { grant_ids: index.grantIds, sids: index.sids }, expiresAt: new Date(this.#now().getTime() + GRANT_TTL_SECONDS * 1000) });
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
    const { grantIds, sids } = await this.#index(personId, clientId);
    let tokens = 0;
    for (const grantId of grantIds) tokens += await this.#revokeGrant(grantId);
    await this.#store.destroy(GRANT_INDEX, key(personId, clientId));
    await this.#store.destroy(CONSENT_MEMORY, key(personId, clientId));
    return { grants: grantIds.length, tokens, sids };
  }

  async #revokeGrant(grantId: string): Promise<number> {
    // Tokens and codes carry the grant id; the Grant record itself is stored under it.
    const tokens = await this.#store.revokeByGrantId(grantId);
    await this.#store.destroy('Grant', grantId);
    return tokens;
  }
}

/** The grants index over the node's EphemeralStore (the same store oidc-provider's adapter uses). */
export function personGrantsOf(deps: { ephemeral: EphemeralStore; now: () => Date }): PersonGrants {
  return new PersonGrants({ store: deps.ephemeral, now: deps.now });
}

/**
 * The person disconnects an app: its grants and tokens are revoked, the app is told through
 * back-channel logout when it registered for it (after the revocation, which does not wait on the
 * app), and the act is in the person's activity (what was revoked, never any claim value).
 */
export async function disconnectApp(deps: { grants: PersonGrants; activity: ActivityRepository; now: () => Date; notifiers: readonly DisconnectNotifier[] }, personId: string, clientId: string): Promise<DisconnectOutcome & { notified: boolean }> {
  const outcome = await deps.grants.disconnect(personId, clientId);
  let notified = false;
  for (const notify of deps.notifiers) notified = (await notify(personId, clientId, outcome.sids)).notified || notified;
  await deps.activity.record({ personId, type: 'app.disconnected', occurredAt: deps.now(), relyingPartyId: clientId, details: { grants_revoked: outcome.grants, tokens_revoked: outcome.tokens, app_notified: notified } });
  return { ...outcome, notified };
}

/**
 * How much of a person's activity to read when finding their connected apps: enough for any
 * person's history of sign-ins within the activity retention. One number, so the apps page and
 * recovery (which logs every connected app out) always agree on which apps are connected.
 */
export const CONNECTED_APPS_HISTORY_LIMIT = 10_000;

/**
 * The apps a person is connected to, read from their own activity (newest first, as listed): an
 * app is connected from a successful sign-in until a disconnect, and a later sign-in connects it
 * again. Each connected app (its client id) with its successful sign-ins since it was last
 * disconnected, oldest first; apps in the order they were connected.
 */
export function connectedAppsOf(entries: readonly ActivityEntry[]): Map<string, ActivityEntry[]> {
  const connected = new Map<string, ActivityEntry[]>();
  // Oldest first: a disconnect ends what came before it.
  for (const e of [...entries].reverse()) {
    if (!e.relyingPartyId) continue;
    if (e.type === 'app.disconnected') connected.delete(e.relyingPartyId);
    if (e.type !== 'oidc.sign_in' || e.details.result !== 'success') continue;
    const signIns = connected.get(e.relyingPartyId) ?? [];
    signIns.push(e);
    connected.set(e.relyingPartyId, signIns);
  }
  return connected;
}
