/**
 * Residence Permit for Hong Kong and Macao Residents (港澳居民居住证, issued since 2018): a
 * GB 11643-1999 number with address code 810000 (Hong Kong) or 820000 (Macao).
 */
import type { CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { parseGb11643 } from './gb11643.ts';
import { RESIDENCE_PERMIT_PREFIX } from './regions.ts';
import type { ResidentIdLike } from './types.ts';

export function validateHkMoResidencePermit(number: string, today: CalendarDate): Result<ResidentIdLike, DocumentProblem> {
  const parsed = parseGb11643(number, today);
  if (!parsed.ok) return parsed;
  const { addressCode, birthDate, sex } = parsed.value;
  if (addressCode !== RESIDENCE_PERMIT_PREFIX.HK && addressCode !== RESIDENCE_PERMIT_PREFIX.MO) {
    return err(problem('document.region_code', 'number'));
  }
  return ok({ type: 'hk_mo_residence_permit', number, addressCode, birthDate, sex });
}
