/**
 * Foreign Permanent Resident ID Card (外国人永久居留身份证). Two editions are in circulation:
 *
 * - 2023 edition (issued since 1 December 2023): 18 characters laid out like a GB 11643 number.
 *   "9" (marks a foreigner; citizens' numbers start 1–8), 2-digit province code of the accepting
 *   authority, 3-digit ISO 3166-1 numeric nationality code, birth date YYYYMMDD, 3-digit sequence
 *   code (odd for men, even for women), ISO 7064 MOD 11-2 check character.
 * - 2017 edition: 15 characters. ISO 3166-1 alpha-3 nationality code, 4-digit code of the
 *   accepting authority (province and city), birth date YYMMDD, one sequence digit, and a check
 *   digit computed with the ICAO 9303 7-3-1 method over the first 14 characters.
 *
 * docs/documents.md gives the sources and how sure each part of the layout is.
 */
import { states } from 'mrz';
import { pastDateFromYYMMDD, type CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { EARLIEST_BIRTH_DATE, parseGb11643 } from './gb11643.ts';
import { icaoCheckDigit } from './icao-check-digit.ts';
import { MAINLAND_PROVINCE_CODES } from './regions.ts';
import type { ForeignPermanentResidentId } from './types.ts';

const ICAO_STATE_CODES: ReadonlySet<string> = new Set(Object.keys(states).filter((code) => /^[A-Z]{3}$/.test(code)));

export function validateForeignPermanentResidentId(number: string, today: CalendarDate): Result<ForeignPermanentResidentId, DocumentProblem> {
  if (number.length === 18) return validate2023(number, today);
  if (number.length === 15) return validate2017(number, today);
  return err(problem('document.format', 'number', { expectedLength: '18 or 15' }));
}

function validate2023(number: string, today: CalendarDate): Result<ForeignPermanentResidentId, DocumentProblem> {
  if (number[0] !== '9') return err(problem('document.format', 'number'));
  const parsed = parseGb11643(number, today);
  if (!parsed.ok) return parsed;
  const provinceCode = number.slice(1, 3);
  if (!MAINLAND_PROVINCE_CODES.has(provinceCode)) return err(problem('document.region_code', 'number'));
  const { birthDate, sex } = parsed.value;
  return ok({ type: 'foreign_permanent_resident_id', number, edition: '2023', provinceCode, nationality: number.slice(3, 6), birthDate, sex });
}

function validate2017(number: string, today: CalendarDate): Result<ForeignPermanentResidentId, DocumentProblem> {
  if (!/^[A-Z]{3}\d{12}$/.test(number)) return err(problem('document.format', 'number'));
  if (icaoCheckDigit(number.slice(0, 14)) !== number[14]) return err(problem('document.check_character', 'number'));
  const birthDate = pastDateFromYYMMDD(number.slice(7, 13), today);
  if (birthDate === null || birthDate > today || birthDate < EARLIEST_BIRTH_DATE) return err(problem('document.birth_date', 'number'));
  const nationality = number.slice(0, 3);
  const provinceCode = number.slice(3, 5);
  if (!ICAO_STATE_CODES.has(nationality) || !MAINLAND_PROVINCE_CODES.has(provinceCode)) return err(problem('document.region_code', 'number'));
  return ok({ type: 'foreign_permanent_resident_id', number, edition: '2017', provinceCode, nationality, birthDate });
}
