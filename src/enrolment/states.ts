/**
 * The enrolment state machine (STYLE.md §1–2; diagram in docs/enrolment.md).
 *
 *   started → document_checked → face_verified → [guardian_approved] → device_bound → issued
 *   any unfinished state → failed | expired | cancelled
 *
 * Account recovery (src/recovery, docs/recovery.md) runs the same machine with purpose
 * `recovery`: the same steps up to the passkey, then face_verified | guardian_approved → recovered.
 *
 * Each state carries its own data (a discriminated union, never a bag of optional fields). The
 * transitions below name the states they may start from; the repository applies them with one
 * guarded UPDATE, so a double submit or a concurrent request loses the race cleanly.
 */
import type { LivenessPrompt } from '../face/liveness/index.ts';
import type { IdentityAttributes } from '../accounts/person-repository.ts';
import type { AgeGroup, EnrolmentStateName, ProofingPurpose } from './tables.ts';
import type { NamedTransition } from '../domain/transition.ts';

export type { AgeGroup, EnrolmentStateName, ProofingPurpose } from './tables.ts';

/** A passkey bound during enrolment, kept until issuance moves it to the devices table. */
export interface BoundCredential {
  readonly credentialId: string;
  /** COSE public key, base64url. */
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly string[];
}

interface Common {
  readonly enrolmentId: string;
  readonly purpose: ProofingPurpose;
  readonly documentKey: string;
  readonly documentType: string;
  readonly ageGroup: AgeGroup;
  /** The person id the enrolment will create (also the WebAuthn user handle); a recovery's is the enrolled person's, known once the face matched ('' before). */
  readonly personId: string;
  readonly faceAttempts: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly expiresAt: Date;
  readonly version: number;
}

/** Data known once the registry confirmed the document. */
export interface CheckedData {
  readonly attributes: IdentityAttributes;
  /** Document key of the guardian the registry names (minors only). */
  readonly guardianDocumentKey: string | null;
  /** The active-liveness challenge waiting to be answered, if one was issued. */
  readonly challenge: readonly LivenessPrompt[] | null;
}

export type Enrolment =
  | (Common & { readonly state: 'started' })
  | (Common & { readonly state: 'document_checked'; readonly data: CheckedData })
  | (Common & { readonly state: 'face_verified'; readonly data: CheckedData & { readonly passkeyChallenge: string | null; readonly guardianChallenge: string | null } })
  | (Common & { readonly state: 'guardian_approved'; readonly guardianPersonId: string; readonly data: CheckedData & { readonly passkeyChallenge: string | null } })
  | (Common & { readonly state: 'device_bound'; readonly guardianPersonId: string | null; readonly data: CheckedData & { readonly credential: BoundCredential } })
  | (Common & { readonly state: 'issued'; readonly guardianPersonId: string | null })
  | (Common & { readonly state: 'recovered'; readonly guardianPersonId: string | null })
  | (Common & { readonly state: 'failed'; readonly failureCode: string })
  | (Common & { readonly state: 'expired' })
  | (Common & { readonly state: 'cancelled' });

export type EnrolmentIn<S extends EnrolmentStateName> = Extract<Enrolment, { state: S }>;

export const TERMINAL_STATES: readonly EnrolmentStateName[] = ['issued', 'recovered', 'failed', 'expired', 'cancelled'];
export const OPEN_STATES: readonly EnrolmentStateName[] = ['started', 'document_checked', 'face_verified', 'guardian_approved', 'device_bound'];

/** One transition: the states it may start from and the state it leads to. */
export type Transition = NamedTransition<EnrolmentStateName>;

export const transitions = {
  checkDocument: { name: 'checkDocument', from: ['started'], to: 'document_checked' },
  verifyFace: { name: 'verifyFace', from: ['document_checked'], to: 'face_verified' },
  approveByGuardian: { name: 'approveByGuardian', from: ['face_verified'], to: 'guardian_approved' },
  /** Adults bind from face_verified; minors only after their guardian approved. */
  bindDeviceAdult: { name: 'bindDevice', from: ['face_verified'], to: 'device_bound' },
  bindDeviceMinor: { name: 'bindDevice', from: ['guardian_approved'], to: 'device_bound' },
  issue: { name: 'issue', from: ['device_bound'], to: 'issued' },
  /** A recovery binds its passkey and finishes in one step (src/recovery/service.ts). */
  recoverAdult: { name: 'recover', from: ['face_verified'], to: 'recovered' },
  recoverMinor: { name: 'recover', from: ['guardian_approved'], to: 'recovered' },
  fail: { name: 'fail', from: OPEN_STATES, to: 'failed' },
  expire: { name: 'expire', from: OPEN_STATES, to: 'expired' },
  cancel: { name: 'cancel', from: OPEN_STATES, to: 'cancelled' },
} as const satisfies Record<string, Transition>;

/** What the client should do next, for GET /api/v1/enrolments/{id}. */
export function nextStep(enrolment: Enrolment): string | null {
  switch (enrolment.state) {
    case 'started':
      return 'document';
    case 'document_checked':
      return 'face';
    case 'face_verified':
      return enrolment.ageGroup === 'adult' ? 'passkey' : 'guardian_approval';
    case 'guardian_approved':
      return 'passkey';
    case 'device_bound':
      return 'issue';
    default:
      return null;
  }
}

/** Age on the China calendar date: the one rule OpenID Connect and the web certificate use too. */
export { ageOn } from '../domain/identity/age.ts';

/** SPEC F10: under 14 a guardian enrols the child; 14–17 with the guardian's consent. */
export function ageGroupOf(age: number): AgeGroup {
  return age < 14 ? 'child' : age < 18 ? 'minor' : 'adult';
}
