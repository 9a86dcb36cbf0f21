/**
 * Telling the apps a person is connected to that the person recovered their account: each app
 * that registered a back-channel logout URI gets a logout token for every session it knew, with
 * the pairwise `sub` it knows — the notifiers a disconnect uses (src/oidc/grants.ts), but the
 * grants and remembered consent are kept, so the app's next sign-in finds the same person.
 */
import type { ActivityRepository } from '../audit/activity.ts';
import { CONNECTED_APPS_HISTORY_LIMIT, connectedAppsOf, type DisconnectNotifier, type PersonGrants } from '../oidc/grants.ts';

/** The client ids a person is connected to, from their own activity (src/oidc/grants.ts connectedAppsOf). */
export async function connectedClientIds(activity: ActivityRepository, personId: string, now: Date): Promise<string[]> {
  return [...connectedAppsOf(await activity.listVisible(personId, now, CONNECTED_APPS_HISTORY_LIMIT)).keys()];
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
