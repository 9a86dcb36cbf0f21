export { issueWebCertificateBatch, coarsenedTimes, webCertificateClaims, type IssueWebCertificateBatchInput, type WebCertificateSubject } from './issue-batch.ts';
export { issuerMetadata, typeMetadata } from './metadata.ts';
