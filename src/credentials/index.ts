/** The web certificate library: issuance, status lists, holder, verifier. */
export * from './issue/index.ts';
export * from './status/index.ts';
export * from './holder/index.ts';
export * from './verifier/index.ts';
export { WEB_CERTIFICATE_CLAIMS, WEB_CERTIFICATE_CLAIM_NAMES, REGION_GROUPS, AGE_THRESHOLDS, webCertificateVct, statusListUri, ageOn, type RegionGroup } from './claims.ts';
export { CredentialError, VerificationError } from './errors.ts';
export type { Clock, RandomBytes } from './deps.ts';
