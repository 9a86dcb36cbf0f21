/**
 * A person's web certificate state, as the home page shows it: `active` while at least one of
 * their credentials is unexpired and unrevoked (with the latest such expiry), `revoked` when
 * every unexpired one has been revoked, `none` otherwise. Reads the person's own status entries
 * through the `person_id` index; says nothing about which device holds them.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

export type WebCertificateState =
  | { readonly state: 'active'; readonly expiresAt: Date }
  | { readonly state: 'revoked' | 'none' };

export async function webCertificateState(db: Kysely<Database>, personId: string, now: Date): Promise<WebCertificateState> {
  const unexpired = db.selectFrom('status_entries').where('person_id', '=', personId).where('expires_at', '>', now);
  const valid = await unexpired.select((eb) => eb.fn.max('expires_at').as('latest')).where('revoked_at', 'is', null).executeTakeFirst();
  if (valid?.latest) return { state: 'active', expiresAt: new Date(valid.latest) };
  const revoked = await unexpired.select('idx').limit(1).executeTakeFirst();
  return revoked ? { state: 'revoked' } : { state: 'none' };
}
