/**
 * netid/verifier — offline verification of netid web certificate presentations for app
 * developers. See docs/web-certificate.md.
 */
export { verifyPresentation, SD_JWT_VC_TYPES, type VerifyOptions, type VerificationResult, type VerifiedPresentation, type VerificationFailure } from './verify-presentation.ts';
export { JwksCache, issuerMetadataUrl, type IssuerKeyResolver, type IssuerKeys, type JsonFetcher } from './issuer-keys.ts';
export { StatusListCache, type StatusListFetcher, type StatusLookup } from './status-list-cache.ts';
export { processDisclosures, type DisclosureOutcome } from './disclosures.ts';
export { VERIFICATION_ERRORS, type VerificationErrorCode } from '../errors.ts';
