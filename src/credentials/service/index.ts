/** The web certificate service: SQL status lists, revocation, HTTP routes. */
export { WebCertificateService, type WebCertificateServiceDeps } from './web-certificate-service.ts';
export { SqlStatusAllocator, type StatusOwner } from './sql-status-allocator.ts';
export { StatusListPublisher, type PublishedStatusList } from './status-list-publisher.ts';
export { purgeExpiredStatusEntries, type StatusPurgeDeps, type StatusPurgeReport } from './status-purge.ts';
export { revokePersonCredentials, revokeCredentialsOfDevice, REVOCATION_REASONS, type RevocationReason, type RevocationOutcome, type RevocationDeps } from './revocation.ts';
export { issueBatchForPerson, subjectFromAttributes, MAX_BATCH, DAILY_ISSUANCE_LIMIT, type IssuedBatch } from './issuance.ts';
export { credentialRoutes, type AuthenticatePerson } from './routes.ts';
export { CredentialServiceError } from './errors.ts';
