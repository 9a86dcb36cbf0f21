/**
 * Age, the one rule: whole years on the calendar date in China (Asia/Shanghai, UTC+8 all year),
 * the day documents' validity is judged on too. Enrolment, OpenID Connect and the web
 * certificate all ask this function, so between 00:00 and 08:00 China time on a birthday they
 * cannot disagree.
 */
import { chinaCalendarDate, parseIsoDate, type CalendarDate } from '../dates.ts';

/**
 * The ages for which an `age_over_N` predicate exists, over OpenID Connect and in the web
 * certificate alike: 14 (SPEC F10: a child of 14 may apply under supervision), 16 (Civil Code
 * art. 18: a minor of 16 living on their own earnings counts as having full capacity), 18
 * (adulthood) and 60 (elderly benefits).
 */
export const AGE_THRESHOLDS = [14, 16, 18, 60] as const;
export type AgeThreshold = (typeof AGE_THRESHOLDS)[number];

/**
 * Whole years of someone born on `birthDate` (YYYY-MM-DD) at the instant `at`, counted on the
 * China calendar date: the birthday itself counts. Someone born on 29 February turns a year
 * older on 1 March in a common year.
 */
export function ageOn(birthDate: CalendarDate, at: Date): number {
  if (parseIsoDate(birthDate) === null) throw new TypeError(`birth date must be a real YYYY-MM-DD date, got ${birthDate}`);
  const today = chinaCalendarDate(at);
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  // MM-DD strings compare as dates do.
  return today.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
