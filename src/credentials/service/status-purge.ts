/**
 * Releases the status entries of long-expired web certificates, so `status_entries` (which links
 * a person to a list index) holds only credentials a verifier could still accept.
 *
 * When is it safe? A verifier rejects a credential once its `exp` has passed (allowing its clock
 * skew, 60 s by default in our verifier), whatever the status list says; so after `exp` + grace a
 * credential's status bit no longer decides anything. Grace is at least one day: more than any
 * sane clock skew, the status list's ttl (900 s) and a signed status-list token's lifetime (one
 * day), and exactly the horizon after which revocation leaves expired credentials alone
 * (revocation.ts), so a purge never races a revocation of the same row.
 *
 * What a release does to the list:
 * - A never-revoked entry's bit was 0 and stays 0. Its index may be drawn again for a new
 *   credential; the old one is expired, so sharing the index decides nothing for it.
 * - A revoked entry's bit goes from 1 to 0. That is harmless for the expired credential, but if
 *   the index were drawn again, a verifier still holding a token signed before the purge (up to
 *   the token's lifetime) would see the new credential as revoked. So revoked entries are
 *   released only from lists that are `full`: the allocator never draws from a full list again
 *   (states only go open → full), so their indexes are never reused. Revoked entries of the open
 *   list wait until it fills. The cached token of each list whose bits changed is dropped, like a
 *   revocation does, so the next request signs the current bits.
 *
 * The job works in batches through the `expires_at` index; it is not a hot path and touches no
 * person-by-person query. Concurrent runs on several nodes are harmless (a row is deleted once).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';

const DAY_SECONDS = 86_400;

export interface StatusPurgeDeps {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  /** Seconds after `exp` before an entry is released; raised to one day if smaller. */
  readonly graceSeconds?: number;
  /** Rows deleted per statement (default 10 000). */
  readonly batchSize?: number;
}

export interface StatusPurgeReport {
  /** Entries of credentials that expired before this were eligible. */
  readonly cutoff: Date;
  /** Entries released. */
  readonly released: number;
  /** Of those, entries that were revoked (all from full lists). */
  readonly releasedRevoked: number;
  /** Lists whose bits changed (their cached tokens were dropped). */
  readonly changedLists: readonly number[];
}

export async function purgeExpiredStatusEntries(deps: StatusPurgeDeps): Promise<StatusPurgeReport> {
  const graceSeconds = Math.max(DAY_SECONDS, deps.graceSeconds ?? DAY_SECONDS);
  const batchSize = deps.batchSize ?? 10_000;
  const cutoff = new Date(deps.now().getTime() - graceSeconds * 1000);
  let released = 0;
  let releasedRevoked = 0;
  const changed = new Set<number>();
  for (;;) {
    const rows = await deps.db.transaction().execute(async (trx) => {
      const deleted = await sql<{ list_id: number; revoked: boolean }>`
        DELETE FROM status_entries e
        WHERE (e.list_id, e.idx) IN (
          SELECT s.list_id, s.idx FROM status_entries s
          WHERE s.expires_at < ${cutoff}
            AND (s.revoked_at IS NULL OR EXISTS (SELECT 1 FROM status_lists l WHERE l.list_id = s.list_id AND l.state = 'full'))
          LIMIT ${batchSize})
        RETURNING e.list_id, (e.revoked_at IS NOT NULL) AS revoked`.execute(trx);
      const lists = [...new Set(deleted.rows.filter((r) => r.revoked).map((r) => Number(r.list_id)))];
      if (lists.length) await trx.deleteFrom('status_list_tokens').where('list_id', 'in', lists).execute();
      return deleted.rows;
    });
    released += rows.length;
    for (const row of rows) {
      if (!row.revoked) continue;
      releasedRevoked++;
      changed.add(Number(row.list_id));
    }
    if (rows.length < batchSize) break;
  }
  return { cutoff, released, releasedRevoked, changedLists: [...changed].sort((a, b) => a - b) };
}
