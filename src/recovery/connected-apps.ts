/**
 * Telling the apps a person is connected to that the person recovered their account: each app
 * that registered a back-channel logout URI gets a logout token for every session it knew, with
 * the pairwise `sub` it knows — the notifiers a disconnect uses (src/oidc/grants.ts), but the
 * grants and remembered consent are kept, so the app's next sign-in finds the same person.
 */
import type { ActivityRepository } from '../audit/activity.ts';
import type { DisconnectNotifier, PersonGrants } from '../oidc/grants.ts';

/** Enough for any person's history of sign-ins within the activity retention. */
const HISTORY_LIMIT = 10_000;

/**
 * The client ids a person is connected to, from their own activity (the same rule as the
 * connected-apps page): connected from a successful sign-in until a disconnect.
 */
export async function connectedClientIds(activity: ActivityRepository, personId: string, now: Date): Promise<string[]> {
  const connected = new Set<string>();
  // Oldest first: a disconnect ends what came before it.
  for (const e of [...(await activity.listVisible(personId, now, HISTORY_LIMIT))].reverse()) {
    if (!e.relyingPartyId) continue;
    if (e.type === 'app.disconnected') connected.delete(e.relyingPartyId);
    if (e.type === 'oidc.sign_in' && e.details.result === 'success') connected.add(e.relyingPartyId);
  }
  return [...connected];
}

export function appTeller(deps: { activity: ActivityRepository; grants: PersonGrants; notifiers: readonly DisconnectNotifier[]; now: () => Date }): (personId: string) => Promise<string[]> {
  return async (personId) => {
    const told: string[] = [];
    for (const clientId of await connectedClientIds(deps.activity, personId, deps.now())) {
      const sids = await deps.grants.sessionIds(personId, clientId);
      let notified = false;
      for (const notify of deps.notifiers) notified = (await notify(personId, clientId, sids)).notified || notified;
      if (notified) told.push(clientId);
    }
    return told;
  };
}
