/**
 * Mainland Travel Permit for Taiwan Residents (台湾居民来往大陆通行证, "台胞证"), card edition
 * issued since 2015: an 8-digit lifelong number, no check character. (The booklet editions,
 * whose numbers had 10 characters and a bracketed letter, were valid for at most 5 years and
 * have all expired, so they are not accepted.)
 */
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import type { TwTravelPermit } from './types.ts';

export function validateTwTravelPermit(number: string): Result<TwTravelPermit, DocumentProblem> {
  if (number.length !== 8) return err(problem('document.format', 'number', { expectedLength: 8 }));
  if (!/^\d{8}$/.test(number)) return err(problem('document.format', 'number'));
  return ok({ type: 'tw_travel_permit', number });
}
