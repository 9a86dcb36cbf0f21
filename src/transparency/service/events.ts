/**
 * The catalogue of accountable events: every act that gives someone a person's data or changes
 * what a person can do, written to the transparency log (docs/accountability.md). One type per
 * act; the fields of each entry are the LogEvent fields (src/transparency/entry.ts) — claim
 * names, reason codes and opaque references only, the person only as a commitment.
 */
export const ACCOUNTABLE_EVENTS = {
  'disclosure.claims': 'Claims (by name) released to an app: relying_party, claims; actor person.',
  'operator.action': "An operator acted on a person's record or on the service: actor operator id, reason what, ref the record.",
  'relying_party.registered': 'An app was registered: relying_party; actor operator id.',
  'relying_party.approved': 'An app was approved (or reinstated): relying_party; actor operator id.',
  'relying_party.suspended': 'An app was suspended for everyone: relying_party, reason; actor operator id.',
  'app_access.blocked': "One app's access suspended for one person: relying_party, reason, ref.",
  'app_access.unblocked': "One app's access for one person restored: relying_party.",
  'revocation.proposed': 'A revocation of all credentials of a person was proposed: reason, ref revocation id.',
  'revocation.approved': 'The second operator (or the person / the registry) approved it.',
  'revocation.rejected': 'The proposal was rejected by another operator.',
  'revocation.applied': "The person's credentials were revoked everywhere.",
  'revocation.appeal_lodged': 'The person appealed: ref revocation id.',
  'revocation.appeal_upheld': 'An operator upheld the appeal; the person may get fresh credentials.',
  'revocation.appeal_dismissed': 'An operator dismissed the appeal, with reasons given to the person.',
  'authority.submitted': 'An authority request was recorded: actor submitting operator, reason statute, ref request id.',
  'authority.approval': 'One operator approved an authority request (the first of two).',
  'authority.approved': 'The second operator approved: the request may be fulfilled.',
  'authority.rejected': 'An operator rejected the request.',
  'authority.disclosure': 'Data released to the authority: claims lists what (identity attribute names or activity_records).',
  'authority.deferral_extension_proposed': "An operator proposed extending the deferral of the person's notice.",
  'authority.deferral_extended': 'A second operator approved the extension.',
  'authority.notice_released': "The person's notice became visible: links the person (commitment) to the request (ref).",
  'account.recovered': "The person proved who they are again (document, registry, live face) and got new passkeys; every old one revoked: actor person, ref the recovery id.",
  'retention.run': 'The retention job deleted sign-in and disclosure records older than the retention period: reason the cutoff.',
} as const;

export type AccountableEventType = keyof typeof ACCOUNTABLE_EVENTS;

/** What a capability hands to recordAccountableEvent. */
export interface AccountableEvent {
  readonly type: AccountableEventType;
  /** Operator id, authority id, `person`, `registry` or `system` — never a person's identity. */
  readonly actor: string;
  /** The person concerned; written only as a per-entry commitment. */
  readonly personId?: string;
  /** Client id of the app involved. */
  readonly relyingParty?: string;
  /** Claim names, never values. */
  readonly claims?: readonly string[];
  /** Reason code (closed list) or legal basis reference. */
  readonly reason?: string;
  /** Opaque reference to the explaining record (request id, revocation id, case number). */
  readonly ref?: string;
  /** When it happened; defaults to the service clock. */
  readonly time?: Date;
}
