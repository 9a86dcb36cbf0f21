import type { CalendarDate } from '../dates.ts';

/** Document type ids, as used in registry files and APIs. */
export const DOCUMENT_TYPES = [
  'cn_resident_id',
  'hk_mo_residence_permit',
  'tw_residence_permit',
  'hk_mo_travel_permit',
  'tw_travel_permit',
  'foreign_permanent_resident_id',
  'cn_passport',
] as const;

export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

export type Sex = 'male' | 'female';

/** What a person or a registry file states about a document. */
export interface DocumentInput {
  /** One of DOCUMENT_TYPES; anything else is `document.unknown_type`. */
  readonly type: string;
  readonly number: string;
  /** Last day of validity, `YYYY-MM-DD`; absent for a card valid long-term (长期). */
  readonly expiresOn?: string | undefined;
  /** Passport only: the two TD3 MRZ lines (as read by the chip reader or OCR). */
  readonly mrz?: string | undefined;
}

interface Common {
  /** The normalised number: upper-case ASCII, no spaces. */
  readonly number: string;
  readonly expiresOn?: CalendarDate;
}

export interface ResidentIdLike extends Common {
  readonly type: 'cn_resident_id' | 'hk_mo_residence_permit' | 'tw_residence_permit';
  /** The 6-digit address code (810000, 820000 or 830000 for the residence permits). */
  readonly addressCode: string;
  readonly birthDate: CalendarDate;
  readonly sex: Sex;
}

export interface HkMoTravelPermit extends Common {
  readonly type: 'hk_mo_travel_permit';
  readonly region: 'HK' | 'MO';
  /** H or M and the 8-digit lifelong number: the same on every permit the person is issued. */
  readonly lifelongNumber: string;
  /** Renewal count ("00" on the first permit), when the 11-character form was given. */
  readonly issueCount?: string;
}

export interface TwTravelPermit extends Common {
  readonly type: 'tw_travel_permit';
}

export interface ForeignPermanentResidentId extends Common {
  readonly type: 'foreign_permanent_resident_id';
  /** '2023': 18 digits starting with 9; '2017': 3 letters and 12 digits. */
  readonly edition: '2023' | '2017';
  /** ISO 3166-1 numeric (2023 edition) or alpha-3 (2017 edition) nationality code. */
  readonly nationality: string;
  /** Province-level code of the accepting authority. */
  readonly provinceCode: string;
  readonly birthDate: CalendarDate;
  /** From the sequence code; the 2023 edition only. */
  readonly sex?: Sex;
}

export interface PassportMrz {
  readonly documentCode: string;
  readonly issuingState: string;
  readonly number: string;
  readonly surname: string;
  readonly givenNames: string;
  readonly nationality: string;
  readonly birthDate: CalendarDate;
  readonly sex: Sex | 'unspecified';
  readonly expiresOn: CalendarDate;
}

export interface CnPassport extends Common {
  readonly type: 'cn_passport';
  /** 'E' (E + 8 digits), 'E+letter' (E, a letter, 7 digits) or 'G' (pre-2012 G + 8 digits). */
  readonly series: 'E' | 'E+letter' | 'G';
  readonly mrz?: PassportMrz;
}

export type ValidDocument = ResidentIdLike | HkMoTravelPermit | TwTravelPermit | ForeignPermanentResidentId | CnPassport;
