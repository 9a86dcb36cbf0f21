/**
 * ICAO Doc 9303 Part 4 TD3 machine-readable zone (passport data page): two lines of 44
 * characters. Parsing is the `mrz` package's; this module turns its result into a passport
 * record or one DocumentProblem. Every check digit (document number, birth date, expiry date,
 * optional data, composite) must match. The issuing state and nationality are returned as
 * written: the ICAO specimen uses the fictitious state UTO, and the caller decides which states
 * it accepts.
 */
import { parse, type Details } from 'mrz';
import { expiryDateFromYYMMDD, pastDateFromYYMMDD, type CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { normaliseMrzLines } from './normalise.ts';
import type { PassportMrz } from './types.ts';

const CHECK_DIGIT_FIELDS = new Set(['documentNumberCheckDigit', 'birthDateCheckDigit', 'expirationDateCheckDigit', 'personalNumberCheckDigit', 'compositeCheckDigit']);

/** Parses TD3 MRZ text. `today` resolves the century of the 2-digit birth year. */
export function parsePassportMrz(text: string, today: CalendarDate): Result<PassportMrz, DocumentProblem> {
  const lines = normaliseMrzLines(text);
  if (lines.length !== 2 || lines.some((l) => l.length !== 44) || !lines.every((l) => /^[A-Z0-9<]{44}$/.test(l))) {
    return err(problem('document.mrz_format', 'mrz'));
  }
  const [line1, line2] = lines as [string, string];
  if (line1[0] !== 'P') return err(problem('document.mrz_format', 'mrz', { mrzField: 'documentCode' }));
  let details: Details[];
  try {
    const result = parse(lines);
    if (result.format !== 'TD3') return err(problem('document.mrz_format', 'mrz'));
    details = result.details;
  } catch {
    return err(problem('document.mrz_format', 'mrz'));
  }
  const badCheck = details.find((d) => d.field !== null && CHECK_DIGIT_FIELDS.has(d.field) && !d.valid);
  if (badCheck) return err(problem('document.mrz_check_digit', 'mrz', { mrzField: badCheck.field! }));

  const field = (name: string): Details | undefined => details.find((d) => d.field === name);
  const birthDate = pastDateFromYYMMDD(line2.slice(13, 19), today);
  if (birthDate === null || birthDate > today) return err(problem('document.birth_date', 'mrz'));
  const expiresOn = expiryDateFromYYMMDD(line2.slice(21, 27));
  if (expiresOn === null) return err(problem('document.expiry_date', 'mrz'));
  const sexCode = line2[20];
  if (sexCode !== 'M' && sexCode !== 'F' && sexCode !== '<') return err(problem('document.mrz_format', 'mrz', { mrzField: 'sex' }));
  const number = field('documentNumber')?.value;
  if (!number) return err(problem('document.mrz_format', 'mrz', { mrzField: 'documentNumber' }));

  return ok({
    documentCode: line1.slice(0, 2).replace(/</g, ''),
    issuingState: line1.slice(2, 5).replace(/</g, ''),
    number,
    surname: field('lastName')?.value ?? '',
    givenNames: field('firstName')?.value ?? '',
    nationality: line2.slice(10, 13).replace(/</g, ''),
    birthDate,
    sex: sexCode === 'M' ? 'male' : sexCode === 'F' ? 'female' : 'unspecified',
    expiresOn,
  });
}
