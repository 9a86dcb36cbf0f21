/**
 * The problems a document number can have, each with a stable code (declared once here, with its
 * HTTP status and its text in English and Chinese). Validation returns them as values
 * (`DocumentProblem`); a caller that must fail a request turns one into a NetidError with
 * `documentError(problem)`.
 */
import { defineErrors, type NetidError } from '../errors.ts';

const specs = {
  'document.unknown_type': {
    status: 422,
    en: 'This type of identity document is not accepted.',
    zh: '不支持该类型的身份证件。',
  },
  'document.format': {
    status: 422,
    en: 'The document number has the wrong length or contains characters it cannot contain.',
    zh: '证件号码长度或字符不符合规定。',
  },
  'document.check_character': {
    status: 422,
    en: 'The document number is mistyped: its check character does not match.',
    zh: '证件号码有误：校验码不符。',
  },
  'document.birth_date': {
    status: 422,
    en: 'The birth date in the document number is not a possible date.',
    zh: '证件号码中的出生日期不是有效日期。',
  },
  'document.region_code': {
    status: 422,
    en: 'The region or nationality code in the document number is not one this document can have.',
    zh: '证件号码中的地区或国籍代码不属于该类证件。',
  },
  'document.expiry_date': {
    status: 422,
    en: 'The expiry date is not a valid date (use YYYY-MM-DD).',
    zh: '有效期限不是有效日期（格式为 YYYY-MM-DD）。',
  },
  'document.expired': {
    status: 422,
    en: 'The document has expired.',
    zh: '证件已过有效期。',
  },
  'document.mrz_format': {
    status: 422,
    en: 'The machine-readable zone could not be read as a passport (two lines of 44 characters).',
    zh: '无法识读护照机读区（应为两行、每行44个字符）。',
  },
  'document.mrz_check_digit': {
    status: 422,
    en: 'A check digit in the machine-readable zone does not match.',
    zh: '机读区校验位不符。',
  },
  'document.mrz_mismatch': {
    status: 422,
    en: 'The machine-readable zone does not match the document details entered.',
    zh: '机读区信息与所填证件信息不一致。',
  },
} as const;

const raise = defineErrors(specs);

export type DocumentErrorCode = keyof typeof specs;

/** Which input the problem is in; never the value itself (document numbers are personal data). */
export type DocumentField = 'type' | 'number' | 'expiresOn' | 'mrz';

export interface DocumentProblem {
  readonly code: DocumentErrorCode;
  readonly field: DocumentField;
  /** Non-personal detail: a field name inside the MRZ, the accepted lengths, a document type. */
  readonly detail?: Readonly<Record<string, string | number>>;
}

export function problem(code: DocumentErrorCode, field: DocumentField, detail?: Record<string, string | number>): DocumentProblem {
  return detail === undefined ? { code, field } : { code, field, detail };
}

/** The NetidError to throw when a document problem must fail a request. */
export function documentError(p: DocumentProblem): NetidError {
  return raise(p.code, { field: p.field, ...p.detail });
}

/** Every document error code, for docs and tests. */
export const documentErrorCodes = Object.keys(specs) as DocumentErrorCode[];
