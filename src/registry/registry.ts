/**
 * The authoritative registry (SPEC F3, §4): where document data and portraits are checked. An
 * adapter interface with two implementations: the embedded reference registry (imported from a
 * file, for demos and tests) and an HTTP adapter for a real registry service.
 */
export type RegistryStatus = 'valid' | 'lost' | 'revoked' | 'deceased';

export interface RegistryRecord {
  readonly documentType: string;
  readonly documentNumber: string;
  readonly name: string;
  readonly birthDate: string;
  readonly sex: 'M' | 'F';
  readonly nationality: string;
  readonly expiryDate: string;
  readonly status: RegistryStatus;
  /** The registry portrait (JPEG or PNG bytes), used for the face match and then dropped. */
  readonly portrait: Uint8Array;
  /** A minor's guardian, as a document reference. */
  readonly guardian: { readonly documentType: string; readonly documentNumber: string } | null;
}

export interface AuthoritativeRegistry {
  /** The record for this document, or null when the registry has none. */
  lookup(documentType: string, documentNumber: string): Promise<RegistryRecord | null>;
}
