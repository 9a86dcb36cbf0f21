/**
 * Issues a batch of web certificates to a signed-in person: the subject is built from the
 * person's sealed identity attributes and web number, the status indexes come from the SQL
 * allocator, and the batch and its activity record are written in one transaction.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { JWK } from 'jose';
import type { PersonRepository } from '../../accounts/person-repository.ts';
import type { ActivityRepository } from '../../audit/activity.ts';
import { PersonError } from '../../accounts/person-repository.ts';
import type { KeyStore } from '../../keys/key-store.ts';
import type { Database } from '../../storage/schema.ts';
import { IDENTITY_ATTRIBUTES, type AttributeId, type AttributeValues, type IdentityAttributes } from '../../domain/identity/index.ts';
import type { RandomBytes } from '../deps.ts';
import { CredentialError } from '../errors.ts';
import { coarsenedTimes, issueWebCertificateBatch, type WebCertificateSubject } from '../issue/issue-batch.ts';
import { CredentialServiceError } from './errors.ts';
import { SqlStatusAllocator } from './sql-status-allocator.ts';

/** Most device keys one request may send. */
export const MAX_BATCH = 20;
/** Most credentials one person may receive per rolling day (each costs a status-list entry). */
export const DAILY_ISSUANCE_LIMIT = 100;

/**
 * The certificate's subject from the person's identity record: every value comes from the
 * attribute's one derivation (src/domain/identity), the one OpenID Connect uses too. The age
 * predicates are derived at signing time from `birthDate` (issue-batch.ts), with the same rule.
 */
export function subjectFromAttributes(webNumber: string, attributes: IdentityAttributes, at: Date): WebCertificateSubject {
  const facts = { attributes, webNumber };
  const value = <K extends AttributeId>(id: K): AttributeValues[K] => IDENTITY_ATTRIBUTES[id].derive(facts, at);
  return {
    webNumber,
    verified: value('verified'),
    birthDate: value('birth_date'),
    regionGroup: value('region_group'),
    plaintext: {
      name: value('name'),
      birth_date: value('birth_date'),
      sex: value('sex'),
      document_type: value('document_type'),
      document_number: value('document_number'),
      nationality: value('nationality'),
    },
  };
}

export interface IssuanceDeps {
  readonly db: Kysely<Database>;
  readonly persons: Pick<PersonRepository, 'standing' | 'attributes'>;
  readonly activity: Pick<ActivityRepository, 'record'>;
  readonly keyStore: KeyStore;
  readonly issuer: string;
  readonly now: () => Date;
  readonly random?: RandomBytes;
  readonly validityDays: number;
  /** Entries per status list (default 1,000,000). */
  readonly listSize?: number;
}

export interface IssuedBatch {
  readonly credentials: string[];
  readonly batchId: string;
  readonly expiresAt: Date;
}

function keyThumb(jwk: JWK): string {
  return `${String(jwk.crv)}:${String(jwk.x)}:${String(jwk.y)}`;
}

/** Only an active person whose credentials no revocation holds obtains web certificates. */
function checkIssuable<P extends { state: string; webNumber: string | null; credentialsHeld: boolean }>(person: P | null): P & { webNumber: string } {
  if (!person) throw PersonError('person.not_found');
  if (person.state !== 'active' || !person.webNumber) throw PersonError('person.not_active');
  if (person.credentialsHeld) throw CredentialServiceError('credential.revoked');
  return person as P & { webNumber: string };
}

export async function issueBatchForPerson(deps: IssuanceDeps, input: { personId: string; holderKeys: readonly JWK[]; deviceRef?: string | null }): Promise<IssuedBatch> {
  if (input.holderKeys.length < 1 || input.holderKeys.length > MAX_BATCH) throw CredentialError('credential.invalid_holder_key', { count: input.holderKeys.length, max: MAX_BATCH });
  if (new Set(input.holderKeys.map(keyThumb)).size !== input.holderKeys.length) throw CredentialServiceError('credential.duplicate_holder_key');
  const person = checkIssuable(await deps.persons.standing(input.personId));
  const now = deps.now();
  const subject = subjectFromAttributes(person.webNumber, await deps.persons.attributes(input.personId), now);
  const expiresAt = new Date(coarsenedTimes(now, deps.validityDays).exp * 1000);
  // Load the signing key before the transaction: the embedded database has one connection.
  await deps.keyStore.activeKey('ES256');
  return deps.db.transaction().execute(async (trx) => {
    // Again under the person's lock: a revocation applied since the check above is seen here, and
    // one applied after this commits revokes this batch too (it takes the same lock).
    checkIssuable(await deps.persons.standing(input.personId, trx, { lock: true }));
    const since = new Date(now.getTime() - 86_400_000);
    const recent = await trx.selectFrom('status_entries').select((eb) => eb.fn.countAll<number>().as('n')).where('person_id', '=', input.personId).where('issued_at', '>', since).executeTakeFirst();
    if (Number(recent?.n ?? 0) + input.holderKeys.length > DAILY_ISSUANCE_LIMIT) throw CredentialServiceError('credential.issuance_limit', { limit: DAILY_ISSUANCE_LIMIT });
    const allocator = new SqlStatusAllocator({
      db: trx,
      random: deps.random ?? randomBytes,
      listSize: deps.listSize,
      owner: { personId: input.personId, deviceRef: input.deviceRef ?? null, issuedAt: now, expiresAt },
    });
    const credentials = await issueWebCertificateBatch({
      keyStore: deps.keyStore,
      clock: () => now,
      random: deps.random ?? randomBytes,
      statusAllocator: allocator,
      issuer: deps.issuer,
      subject,
      holderKeys: input.holderKeys,
      validityDays: deps.validityDays,
    });
    await deps.activity.record(
      { personId: input.personId, type: 'web_certificate_issued', occurredAt: now, details: { count: credentials.length, valid_until: expiresAt.toISOString(), ...(input.deviceRef ? { device_id: input.deviceRef } : {}) } },
      trx,
    );
    return { credentials, batchId: allocator.batchId, expiresAt };
  });
}
