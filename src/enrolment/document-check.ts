/**
 * The registry check of an enrolment (SPEC F3): the document exists in the authoritative
 * registry, the name and birth date the person gave match it, its status is `valid` and it has
 * not expired. Any field mismatch — or no record at all — is one answer, `registry_mismatch`,
 * so the answer does not tell a caller which field of someone's record differed.
 */
import { chinaCalendarDate } from '../domain/dates.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { RegistryRecord } from '../registry/registry.ts';

export interface ClaimedIdentity {
  readonly name: string;
  readonly birthDate: string;
  /** When the person gave it (not every document shows one the same way). */
  readonly expiryDate?: string | undefined;
}

export type RegistryProblem = 'enrolment.registry_mismatch' | 'enrolment.document_not_valid' | 'document.expired';

/** Names compare after Unicode compatibility normalisation, ignoring spaces and the middle dot variants. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/[\s\u00B7\u30FB\u2027\u2022.]/g, '').toUpperCase();
}

export function checkAgainstRegistry(record: RegistryRecord | null, claimed: ClaimedIdentity, now: Date): Result<RegistryRecord, RegistryProblem> {
  if (!record) return err('enrolment.registry_mismatch');
  const nameMatches = normaliseName(record.name) === normaliseName(claimed.name);
  const birthMatches = record.birthDate === claimed.birthDate;
  const expiryMatches = claimed.expiryDate === undefined || claimed.expiryDate === record.expiryDate;
  if (!nameMatches || !birthMatches || !expiryMatches) return err('enrolment.registry_mismatch');
  if (record.status !== 'valid') return err('enrolment.document_not_valid');
  if (record.expiryDate < chinaCalendarDate(now)) return err('document.expired');
  return ok(record);
}
