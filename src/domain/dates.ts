/**
 * Calendar dates as ISO 8601 strings (`YYYY-MM-DD`). Identity documents carry dates without a
 * time or zone, so they stay strings: comparing two of them is plain string comparison, and no
 * Date object can shift them by a zone offset.
 */

/** A calendar date written `YYYY-MM-DD`. */
export type CalendarDate = string;

/** China Standard Time is UTC+8 all year (no daylight saving since 1991). */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date in China at the given instant: the day documents' validity is judged on. */
export function chinaCalendarDate(instant: Date): CalendarDate {
  if (Number.isNaN(instant.getTime())) throw new TypeError('invalid Date');
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether year-month-day names a day of the proleptic Gregorian calendar (years 1–9999). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** `YYYYMMDD` (8 digits) → `YYYY-MM-DD`, or null when it is not a real calendar date. */
export function fromCompactDate(yyyymmdd: string): CalendarDate | null {
  if (!/^\d{8}$/.test(yyyymmdd)) return null;
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (!isCalendarDate(year, month, day)) return null;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/** `YYYY-MM-DD` → itself when it is a real calendar date, else null. */
export function parseIsoDate(text: string): CalendarDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return fromCompactDate(`${m[1]}${m[2]}${m[3]}`);
}

/**
 * A past date written `YYMMDD` (a birth date in an MRZ or a 15-character permanent-residence
 * number): the latest century that does not put it after `today`. Null when the digits are not a
 * real date in either candidate century.
 */
export function pastDateFromYYMMDD(yymmdd: string, today: CalendarDate): CalendarDate | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const this21 = fromCompactDate(`20${yymmdd}`);
  if (this21 !== null && this21 <= today) return this21;
  return fromCompactDate(`19${yymmdd}`);
}

/** A future-facing date written `YYMMDD` (an expiry date): always read as 20YY. */
export function expiryDateFromYYMMDD(yymmdd: string): CalendarDate | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  return fromCompactDate(`20${yymmdd}`);
}
