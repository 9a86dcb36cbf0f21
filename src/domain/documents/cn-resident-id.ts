/**
 * PRC Resident Identity Card (居民身份证): a GB 11643-1999 number whose address code lies in a
 * mainland province (or 71, Taiwan province, which GB/T 2260 lists). Numbers with the residence
 * permit prefixes 810000/820000/830000 belong to the permits, not to this card.
 */
import type { CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { parseGb11643 } from './gb11643.ts';
import { RESIDENCE_PERMIT_PREFIX, isResidentIdProvince } from './regions.ts';
import type { ResidentIdLike } from './types.ts';

export function validateResidentId(number: string, today: CalendarDate): Result<ResidentIdLike, DocumentProblem> {
  const parsed = parseGb11643(number, today);
  if (!parsed.ok) return parsed;
  const { addressCode } = parsed.value;
  if (addressCode === RESIDENCE_PERMIT_PREFIX.HK || addressCode === RESIDENCE_PERMIT_PREFIX.MO) {
    return err(problem('document.region_code', 'number', { documentType: 'hk_mo_residence_permit' }));
  }
  if (addressCode === RESIDENCE_PERMIT_PREFIX.TW) return err(problem('document.region_code', 'number', { documentType: 'tw_residence_permit' }));
  if (!isResidentIdProvince(addressCode.slice(0, 2))) return err(problem('document.region_code', 'number'));
  const { birthDate, sex } = parsed.value;
  return ok({ type: 'cn_resident_id', number, addressCode, birthDate, sex });
}
