/**
 * Assurance levels as policy data (STYLE.md §6): what a request asks for and what an
 * authentication achieved. A request's target is the highest of the app's registered level, the
 * `acr_values` it sent and an essential `acr` claim; netid treats the target as required (the
 * sign-in ends with access_denied rather than claiming less or more than happened).
 */
import { ASSURANCE_LEVELS, assuranceRank, type AssuranceLevel } from './claims.ts';

export function targetLevel(registered: AssuranceLevel, params: { acr_values?: string; claims?: string }): AssuranceLevel {
  let rank = assuranceRank(registered);
  for (const value of (params.acr_values ?? '').split(' ')) rank = Math.max(rank, assuranceRank(value));
  if (params.claims) {
    try {
      const acr = (JSON.parse(params.claims) as { id_token?: { acr?: { value?: string; values?: string[] } } }).id_token?.acr;
      for (const value of [acr?.value, ...(acr?.values ?? [])]) if (value) rank = Math.max(rank, assuranceRank(value));
    } catch {
      // the provider rejects an unparseable claims parameter itself
    }
  }
  return ASSURANCE_LEVELS[Math.max(rank, 0)]!;
}

/** What happened, as acr and amr (RFC 8176): hwk = a hardware-bound key, user = user verification, face = facial biometric. */
export function achieved(userVerified: boolean, faceMatched: boolean): { acr: AssuranceLevel; amr: string[] } {
  if (userVerified && faceMatched) return { acr: 'high', amr: ['hwk', 'user', 'face', 'mfa'] };
  if (userVerified) return { acr: 'substantial', amr: ['hwk', 'user'] };
  return { acr: 'basic', amr: ['hwk'] };
}
