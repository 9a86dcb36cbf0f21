/**
 * GB 11643-1999 citizen identity numbers: 6-digit address code, 8-digit birth date (YYYYMMDD),
 * 3-digit sequence code (odd for men, even for women) and one check character computed with
 * ISO 7064 MOD 11-2 over the first 17 digits ("X" stands for 10). Residence permits for Hong
 * Kong, Macao and Taiwan residents and the 2023 Foreign Permanent Resident ID Card use the same
 * layout and check.
 */
import { fromCompactDate, type CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';

/** Weight of position i (0-based, left to right) is 2^(17-i) mod 11. */
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);

/** ISO 7064 MOD 11-2 check character for 17 digits. */
export function mod11_2CheckCharacter(body17: string): string {
  if (!/^\d{17}$/.test(body17)) throw new TypeError('MOD 11-2 body must be 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * WEIGHTS[i]!;
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

/** The earliest birth date accepted: nobody born before 1900 is alive to enrol. */
export const EARLIEST_BIRTH_DATE: CalendarDate = '1900-01-01';

export interface Gb11643Fields {
  readonly number: string;
  readonly addressCode: string;
  readonly birthDate: CalendarDate;
  readonly sex: 'male' | 'female';
  readonly sequenceCode: string;
}

/**
 * Checks shape, check character and birth date of an already normalised 18-character number.
 * The address code is the caller's business (each document type accepts different ones).
 */
export function parseGb11643(number: string, today: CalendarDate): Result<Gb11643Fields, DocumentProblem> {
  if (number.length !== 18) return err(problem('document.format', 'number', { expectedLength: 18 }));
  if (!/^\d{17}[\dX]$/.test(number)) return err(problem('document.format', 'number'));
  if (mod11_2CheckCharacter(number.slice(0, 17)) !== number[17]) return err(problem('document.check_character', 'number'));
  const birthDate = fromCompactDate(number.slice(6, 14));
  if (birthDate === null || birthDate > today || birthDate < EARLIEST_BIRTH_DATE) return err(problem('document.birth_date', 'number'));
  const sequenceCode = number.slice(14, 17);
  return ok({
    number,
    addressCode: number.slice(0, 6),
    birthDate,
    sex: Number(sequenceCode[2]) % 2 === 1 ? 'male' : 'female',
    sequenceCode,
  });
}
