/**
 * Reads a registry import file: JSON Lines, one record a line. Every line is validated before
 * anything is written; the first bad line stops the import, named by its number and a stable
 * reason code, and nothing from the file is imported.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { defineErrors } from '../domain/errors.ts';
import { chinaCalendarDate, parseIsoDate } from '../domain/dates.ts';
import { validateDocument } from '../domain/documents/index.ts';
import type { RegistryRecord } from './registry.ts';

export const RegistryFileError = defineErrors({
  'registry.file_unreadable': { status: 400, en: 'The registry file cannot be read.', zh: '无法读取登记库文件。' },
  'registry.line_invalid': { status: 400, en: 'A line of the registry file is invalid; nothing was imported.', zh: '登记库文件中有一行无效；未导入任何记录。' },
});

const documentRef = z.object({ document_type: z.string(), document_number: z.string() }).strict();

const lineSchema = z
  .object({
    document_type: z.string(),
    document_number: z.string().min(1),
    name: z.string().trim().min(1).max(200),
    birth_date: z.string(),
    sex: z.enum(['M', 'F']),
    nationality: z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3'),
    expiry_date: z.string(),
    portrait: z.string().min(1),
    status: z.enum(['valid', 'lost', 'revoked', 'deceased']),
    guardian: documentRef.optional(),
  })
  .strict();

const MAX_PORTRAIT_BYTES = 5 * 1024 * 1024;

function isImage(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return jpeg || png;
}

export interface ParsedRegistryFile {
  readonly records: RegistryRecord[];
}

function lineError(line: number, reason: string, field?: string): never {
  const error = RegistryFileError('registry.line_invalid', field ? { line, reason, field } : { line, reason });
  error.message = `line ${line}: ${reason}${field ? ` (${field})` : ''}; nothing was imported`;
  throw error;
}

/**
 * Parses and validates a whole file; expired documents may be imported
 * (the registry knows them; enrolment refuses them).
 */
export function parseRegistryFile(path: string, now: Date): ParsedRegistryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw RegistryFileError('registry.file_unreadable', { problem: (cause as NodeJS.ErrnoException).code ?? 'unreadable' });
  }
  const today = chinaCalendarDate(now);
  const base = dirname(resolve(path));
  const records: RegistryRecord[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      lineError(lineNumber, 'registry.not_json');
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || undefined;
      if (issue.code === 'unrecognized_keys') lineError(lineNumber, 'registry.unknown_field', issue.keys.join(','));
      lineError(lineNumber, 'registry.field_invalid', field);
    }
    const line = parsed.data;
    if (parseIsoDate(line.birth_date) === null || line.birth_date > today) lineError(lineNumber, 'registry.birth_date_invalid', 'birth_date');
    if (parseIsoDate(line.expiry_date) === null) lineError(lineNumber, 'document.expiry_date', 'expiry_date');
    // Expiry is not checked here: the registry may hold expired documents.
    const document = validateDocument({ type: line.document_type, number: line.document_number }, now);
    if (!document.ok) lineError(lineNumber, document.error.code, document.error.field === 'type' ? 'document_type' : 'document_number');
    const valid = document.value;
    // Numbers that encode birth date and sex must agree with the record.
    if ('birthDate' in valid && valid.birthDate !== line.birth_date) lineError(lineNumber, 'registry.birth_date_mismatch', 'birth_date');
    if ('sex' in valid && valid.sex && (valid.sex === 'male' ? 'M' : 'F') !== line.sex) lineError(lineNumber, 'registry.sex_mismatch', 'sex');
    let guardian: RegistryRecord['guardian'] = null;
    if (line.guardian) {
      const g = validateDocument({ type: line.guardian.document_type, number: line.guardian.document_number }, now);
      if (!g.ok) lineError(lineNumber, g.error.code, 'guardian');
      guardian = { documentType: g.value.type, documentNumber: g.value.number };
    }
    const key = `${valid.type}\n${valid.number}`;
    if (seen.has(key)) lineError(lineNumber, 'registry.duplicate_document', 'document_number');
    seen.add(key);
    const portraitPath = resolve(base, line.portrait);
    let portrait: Uint8Array;
    try {
      if (statSync(portraitPath).size > MAX_PORTRAIT_BYTES) lineError(lineNumber, 'registry.portrait_too_large', 'portrait');
      portrait = readFileSync(portraitPath);
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'registry.line_invalid') throw error;
      lineError(lineNumber, 'registry.portrait_unreadable', 'portrait');
    }
    if (!isImage(portrait)) lineError(lineNumber, 'registry.portrait_not_image', 'portrait');
    records.push({
      documentType: valid.type,
      documentNumber: valid.number,
      name: line.name,
      birthDate: line.birth_date,
      sex: line.sex,
      nationality: line.nationality,
      expiryDate: line.expiry_date,
      status: line.status,
      portrait,
      guardian,
    });
  });
  return { records };
}
