/**
 * Mainland Travel Permit for Hong Kong and Macao Residents (港澳居民来往内地通行证, "回乡证").
 *
 * The Ministry of Public Security's numbering rule (published 2010): 11 characters, H (Hong
 * Kong) or M (Macao), an 8-digit lifelong number, and a 2-digit renewal count (00 on the first
 * permit). The card issued since 2013 prints the first 9 characters as the permit number and the
 * renewal count separately. Both forms are accepted; the permit has no check character.
 */
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import type { HkMoTravelPermit } from './types.ts';

export function validateHkMoTravelPermit(number: string): Result<HkMoTravelPermit, DocumentProblem> {
  if (number.length !== 9 && number.length !== 11) return err(problem('document.format', 'number', { expectedLength: '9 or 11' }));
  if (!/^[A-Z]\d+$/.test(number)) return err(problem('document.format', 'number'));
  const letter = number[0];
  if (letter !== 'H' && letter !== 'M') return err(problem('document.region_code', 'number'));
  const lifelongNumber = number.slice(0, 9);
  const region = letter === 'H' ? 'HK' : 'MO';
  return ok(number.length === 11
    ? { type: 'hk_mo_travel_permit', number, region, lifelongNumber, issueCount: number.slice(9) }
    : { type: 'hk_mo_travel_permit', number, region, lifelongNumber });
}
