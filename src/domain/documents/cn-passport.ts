/**
 * PRC ordinary passport (普通护照). Numbers accepted:
 *
 * - E + 8 digits: the electronic ordinary passport issued since May 2012;
 * - E + a letter + 7 digits: the same passport once the E + 8-digit range ran out (EA…);
 * - G + 8 digits: the pre-2012 ordinary passport (valid up to 10 years, so all have expired by
 *   now; accepted as a number so that an expired one is told apart from a mistyped one).
 *
 * Passport numbers have no check character of their own; the MRZ, when given, carries one.
 * With an MRZ, its check digits must match, it must be a passport issued by CHN to a CHN
 * national, and its number and expiry date must equal the ones entered.
 */
import type { CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { parsePassportMrz } from './passport-mrz.ts';
import type { CnPassport } from './types.ts';

export function passportSeries(number: string): CnPassport['series'] | null {
  if (/^E\d{8}$/.test(number)) return 'E';
  if (/^E[A-Z]\d{7}$/.test(number)) return 'E+letter';
  if (/^G\d{8}$/.test(number)) return 'G';
  return null;
}

export function validateCnPassport(
  number: string,
  expiresOn: CalendarDate | undefined,
  mrzText: string | undefined,
  today: CalendarDate,
): Result<CnPassport, DocumentProblem> {
  if (number.length !== 9) return err(problem('document.format', 'number', { expectedLength: 9 }));
  const series = passportSeries(number);
  if (series === null) return err(problem('document.format', 'number'));
  if (mrzText === undefined) return ok({ type: 'cn_passport', number, series });

  const mrz = parsePassportMrz(mrzText, today);
  if (!mrz.ok) return mrz;
  const m = mrz.value;
  if (m.issuingState !== 'CHN') return err(problem('document.mrz_mismatch', 'mrz', { mrzField: 'issuingState' }));
  if (m.nationality !== 'CHN') return err(problem('document.mrz_mismatch', 'mrz', { mrzField: 'nationality' }));
  if (m.number !== number) return err(problem('document.mrz_mismatch', 'mrz', { mrzField: 'documentNumber' }));
  if (expiresOn !== undefined && m.expiresOn !== expiresOn) return err(problem('document.mrz_mismatch', 'mrz', { mrzField: 'expirationDate' }));
  return ok({ type: 'cn_passport', number, series, mrz: m });
}
