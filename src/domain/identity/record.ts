/**
 * The identity record netid keeps for a person, sealed per record (src/keys/envelope.ts): what
 * the authoritative registry said about the person's document when they enrolled. Every claim an
 * app or a verifier receives is derived from it (attributes.ts).
 */
import type { CalendarDate } from '../dates.ts';
import type { DocumentType } from '../documents/types.ts';

export interface IdentityAttributes {
  /** Checked by the document's own rules before the registry was asked, so always a known type. */
  readonly document_type: DocumentType;
  /** The normalised number (src/domain/documents/normalise.ts). */
  readonly document_number: string;
  readonly name: string;
  readonly birth_date: CalendarDate;
  readonly sex: 'M' | 'F';
  /** ISO 3166-1 alpha-3. */
  readonly nationality: string;
  readonly expiry_date: string;
}

/** What claims are derived from: the identity record and the web number netid assigned. */
export interface IdentityFacts {
  readonly attributes: IdentityAttributes;
  /** Null only for a person who no longer holds one (deactivated). */
  readonly webNumber: string | null;
}
