/**
 * Identity documents accepted for enrolment (SPEC F2). One entry point:
 * `validateDocument(input, today)` normalises the number, checks it by the rules of its type,
 * checks the expiry date, and returns the parsed document or the first problem found.
 *
 * Order of checks, so that each input gets the most useful single answer: type, expiry-date
 * syntax, number format, check character, birth date, region code, MRZ, expiry.
 */
import { chinaCalendarDate, parseIsoDate, type CalendarDate } from '../dates.ts';
import { err, ok, type Result } from '../result.ts';
import { validateCnPassport } from './cn-passport.ts';
import { validateResidentId } from './cn-resident-id.ts';
import { problem, type DocumentProblem } from './errors.ts';
import { validateForeignPermanentResidentId } from './foreign-permanent-resident-id.ts';
import { validateHkMoResidencePermit } from './hk-mo-residence-permit.ts';
import { validateHkMoTravelPermit } from './hk-mo-travel-permit.ts';
import { normaliseDocumentNumber } from './normalise.ts';
import { parsePassportMrz as parseMrzAt } from './passport-mrz.ts';
import { validateTwResidencePermit } from './tw-residence-permit.ts';
import { validateTwTravelPermit } from './tw-travel-permit.ts';
import { isDocumentType, type DocumentInput, type PassportMrz, type ValidDocument } from './types.ts';

export { DOCUMENT_TYPES, isDocumentType } from './types.ts';
export type { DocumentInput, DocumentType, ValidDocument, PassportMrz, Sex } from './types.ts';
export { documentError, documentErrorCodes } from './errors.ts';
export type { DocumentErrorCode, DocumentField, DocumentProblem } from './errors.ts';
export { normaliseDocumentNumber } from './normalise.ts';
export { mod11_2CheckCharacter } from './gb11643.ts';
export { icaoCheckDigit } from './icao-check-digit.ts';

/**
 * Validates a document as of `today` (an instant; the date that counts is the calendar date in
 * China). A document whose last day of validity is before that date is `document.expired`.
 */
export function validateDocument(input: DocumentInput, today: Date): Result<ValidDocument, DocumentProblem> {
  const todayDate = chinaCalendarDate(today);
  if (!isDocumentType(input.type)) return err(problem('document.unknown_type', 'type'));
  let expiresOn: CalendarDate | undefined;
  if (input.expiresOn !== undefined) {
    const parsed = parseIsoDate(input.expiresOn.normalize('NFKC').trim());
    if (parsed === null) return err(problem('document.expiry_date', 'expiresOn'));
    expiresOn = parsed;
  }
  const number = normaliseDocumentNumber(input.number);
  const result = checkNumber(input.type, number, expiresOn, input.mrz, todayDate);
  if (!result.ok) return result;
  const doc = result.value;
  const lastDay = expiresOn ?? (doc.type === 'cn_passport' ? doc.mrz?.expiresOn : undefined);
  if (lastDay !== undefined && lastDay < todayDate) return err(problem('document.expired', lastDay === expiresOn ? 'expiresOn' : 'mrz'));
  return ok(lastDay === undefined ? doc : { ...doc, expiresOn: lastDay });
}

function checkNumber(type: ValidDocument['type'], number: string, expiresOn: CalendarDate | undefined, mrz: string | undefined, today: CalendarDate): Result<ValidDocument, DocumentProblem> {
  if (mrz !== undefined && type !== 'cn_passport') return err(problem('document.mrz_format', 'mrz', { documentType: type }));
  switch (type) {
    case 'cn_resident_id':
      return validateResidentId(number, today);
    case 'hk_mo_residence_permit':
      return validateHkMoResidencePermit(number, today);
    case 'tw_residence_permit':
      return validateTwResidencePermit(number, today);
    case 'hk_mo_travel_permit':
      return validateHkMoTravelPermit(number);
    case 'tw_travel_permit':
      return validateTwTravelPermit(number);
    case 'foreign_permanent_resident_id':
      return validateForeignPermanentResidentId(number, today);
    case 'cn_passport':
      return validateCnPassport(number, expiresOn, mrz, today);
  }
}

/** Parses a TD3 passport MRZ on its own (e.g. as read from the chip), as of `today`. */
export function parsePassportMrz(text: string, today: Date): Result<PassportMrz, DocumentProblem> {
  return parseMrzAt(text, chinaCalendarDate(today));
}
