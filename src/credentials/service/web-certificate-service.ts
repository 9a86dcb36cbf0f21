/**
 * The web certificate capability as a node holds it: issuance to a signed-in person, status-list
 * publication, revocation. Built once in createNode (services.credentials).
 */
import type { Kysely } from 'kysely';
import type { JWK } from 'jose';
import type { Database } from '../../storage/schema.ts';
import { issuerMetadata, typeMetadata } from '../issue/metadata.ts';
import { issueBatchForPerson, type IssuanceDeps, type IssuedBatch } from './issuance.ts';
import { revokeCredentialsOfDevice, revokePersonCredentials, type RevocationOutcome, type RevocationReason } from './revocation.ts';
import { webCertificateState, type WebCertificateState } from './state.ts';
import { StatusListPublisher } from './status-list-publisher.ts';
import { purgeExpiredStatusEntries, type StatusPurgeReport } from './status-purge.ts';

/** What issuance needs, plus the status-list ttl; the issuer may end in a slash (it is dropped). */
export interface WebCertificateServiceDeps extends IssuanceDeps {
  /** Status-list token ttl in seconds (default 900). */
  readonly statusListTtlSeconds?: number;
}

export class WebCertificateService {
  readonly issuer: string;
  readonly statusLists: StatusListPublisher;
  readonly #deps: WebCertificateServiceDeps;

  constructor(deps: WebCertificateServiceDeps) {
    this.issuer = deps.issuer.replace(/\/+$/, '');
    this.#deps = { ...deps, issuer: this.issuer };
    this.statusLists = new StatusListPublisher({ db: deps.db, keyStore: deps.keyStore, issuer: this.issuer, now: deps.now, ttlSeconds: deps.statusListTtlSeconds });
  }

  /** A batch for the person, one credential per device key (1..20). */
  issue(personId: string, holderKeys: readonly JWK[], deviceRef: string | null = null): Promise<IssuedBatch> {
    return issueBatchForPerson(this.#deps, { personId, holderKeys, deviceRef });
  }

  /** Revokes all of a person's credentials; join the caller's transaction with `trx`. */
  revokePersonCredentials(personId: string, reason: RevocationReason, trx?: Kysely<Database>): Promise<RevocationOutcome> {
    return revokePersonCredentials(this.#deps, personId, reason, trx);
  }

  /** Revokes the credentials issued to one of the person's devices. */
  revokeCredentialsOfDevice(personId: string, deviceRef: string, trx?: Kysely<Database>): Promise<RevocationOutcome> {
    return revokeCredentialsOfDevice(this.#deps, personId, deviceRef, trx);
  }

  /** Releases the status entries of credentials expired longer than a day (and the list ttl) ago; see status-purge.ts. */
  purgeExpiredStatusEntries(): Promise<StatusPurgeReport> {
    return purgeExpiredStatusEntries({ db: this.#deps.db, now: this.#deps.now, graceSeconds: this.statusLists.ttlSeconds });
  }

  /** Whether the person holds a valid web certificate anywhere (for the home page). */
  stateOf(personId: string): Promise<WebCertificateState> {
    return webCertificateState(this.#deps.db, personId, this.#deps.now());
  }

  issuerMetadata(): Promise<{ issuer: string; jwks: { keys: unknown[] } }> {
    return issuerMetadata(this.#deps.keyStore, this.issuer);
  }

  typeMetadata(): Record<string, unknown> {
    return typeMetadata(this.issuer);
  }
}
