/**
 * The authoritative registry (SPEC F3, §4): where document data and portraits are checked. An
 * adapter interface with two implementations: the embedded reference registry (imported from a
 * file, for demos and tests) and an HTTP adapter for a real registry service.
 */
import { defineErrors } from '../domain/errors.ts';

export type RegistryStatus = 'valid' | 'lost' | 'revoked' | 'deceased';

export const RegistryError = defineErrors({
  // A registry imported before portraits were checked at import may hold one the face step cannot
  // use (a group photo): that is the registry's fault, so it costs the person no attempt.
  'registry.portrait_unusable': { status: 409, en: 'The registry portrait of this document cannot be used for a face match (it shows no face, or more than one). No attempt was used; the registry office must replace the portrait before you can enrol with this document.', zh: '该证件的登记照片无法用于人脸比对（照片中没有人脸或有多张人脸）。本次未计入核验次数；须由登记机关更换照片后才能用此证件注册。' },
});

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
