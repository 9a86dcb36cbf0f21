/**
 * Reads a registry import file: JSON Lines, one record a line (format: docs/registry-format.md).
 * Every line is validated — its portrait included, read from a regular file inside the import
 * file's directory and shown to the face engine, which must find exactly one usable face — before
 * anything is written; the first bad line stops the import, named by its number and a stable
 * reason code, and nothing from the file is imported. Nothing read from a file is ever repeated in
 * an error: only line numbers, field names and codes.
 */
import { dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { z } from 'zod';
import { chinaCalendarDate, parseIsoDate } from '../domain/dates.ts';
import { hasUndisplayable } from '../domain/display-text.ts';
import { validateDocument } from '../domain/documents/index.ts';
import { defineErrors } from '../domain/errors.ts';
import { analyseFace, type FaceEngine, type FaceProblemCode } from '../face/face-engine.ts';
import type { RegistryRecord } from './registry.ts';
import { readRegularFile, type FileProblem } from './regular-file.ts';

export const RegistryFileError = defineErrors({
  'registry.file_unreadable': { status: 400, en: 'The registry file cannot be read: it must be an existing, readable regular file (not a directory, pipe or device); nothing was imported.', zh: '无法读取登记库文件：它必须是存在且可读的普通文件（不能是目录、管道或设备）；未导入任何记录。' },
  'registry.file_too_large': { status: 400, en: 'The registry file is over the import limits (16 MiB, 10,000 records, 512 MiB of portraits); split it into several files. Nothing was imported.', zh: '登记库文件超出导入上限（16 MiB、10,000 条记录、照片共 512 MiB），请拆分为多个文件。未导入任何记录。' },
  'registry.line_invalid': { status: 400, en: 'A line of the registry file is invalid (see the line number and reason); nothing was imported.', zh: '登记库文件中有一行无效（见行号和原因）；未导入任何记录。' },
});

/** Import limits (docs/registry-format.md): they bound the memory and time one import may take. */
export const REGISTRY_LIMITS = {
  /** The JSON Lines file itself. */
  fileBytes: 16 * 1024 * 1024,
  records: 10_000,
  /** One portrait file. */
  portraitBytes: 5 * 1024 * 1024,
  /** All portraits of one file together (they are held in memory until the import commits). */
  totalPortraitBytes: 512 * 1024 * 1024,
} as const;

const documentRef = z.object({ document_type: z.string(), document_number: z.string() }).strict();

/** A name as the registry holds it: displayable text (docs/registry-format.md), NFC. */
const personName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => !hasUndisplayable(name), 'control or format character')
  .transform((name) => name.normalize('NFC'));

const lineSchema = z
  .object({
    document_type: z.string(),
    document_number: z.string().min(1),
    name: personName,
    birth_date: z.string(),
    sex: z.enum(['M', 'F']),
    nationality: z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3'),
    expiry_date: z.string(),
    portrait: z.string().min(1).max(1000),
    status: z.enum(['valid', 'lost', 'revoked', 'deceased']),
    guardian: documentRef.optional(),
  })
  .strict();

/** Why a portrait was refused, as the line's reason code. */
const PORTRAIT_FILE_REASON: Readonly<Record<FileProblem, string>> = {
  invalid_path: 'registry.portrait_outside_directory',
  outside_directory: 'registry.portrait_outside_directory',
  missing: 'registry.portrait_unreadable',
  unreadable: 'registry.portrait_unreadable',
  not_regular_file: 'registry.portrait_not_regular_file',
  too_large: 'registry.portrait_too_large',
};

const PORTRAIT_FACE_REASON: Readonly<Record<FaceProblemCode, string>> = {
  'face.none': 'registry.portrait_no_face',
  'face.multiple': 'registry.portrait_several_faces',
  'face.too_small': 'registry.portrait_face_too_small',
  'face.unreadable_image': 'registry.portrait_not_image',
};

/** Words for the reasons an operator meets most, added to the command line's message. */
const REASON_WORDS: Readonly<Record<string, string>> = {
  'registry.portrait_no_face': 'no face in the portrait',
  'registry.portrait_several_faces': 'more than one face in the portrait',
  'registry.portrait_face_too_small': 'the face in the portrait is too small (under 80 px)',
  'registry.portrait_not_image': 'the portrait is not a JPEG or PNG image',
  'registry.portrait_outside_directory': "the portrait path leaves the registry file's directory",
  'registry.portrait_not_regular_file': 'the portrait is not a regular file',
  'registry.portrait_too_large': 'the portrait is over 5 MiB',
  'registry.portrait_unreadable': 'the portrait file cannot be read',
};

function isImage(bytes: Uint8Array): boolean {
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  return jpeg || png;
}

export interface ParsedRegistryFile {
  readonly records: RegistryRecord[];
}

export interface RegistryFileDeps {
  /** The face engine every portrait is shown to. */
  readonly faceEngine: () => Promise<FaceEngine>;
  readonly now: Date;
}

function lineError(line: number, reason: string, field?: string): never {
  const error = RegistryFileError('registry.line_invalid', field ? { line, reason, field } : { line, reason });
  const words = REASON_WORDS[reason];
  error.message = `line ${line}: ${reason}${field ? ` (${field})` : ''}${words ? `: ${words}` : ''}; nothing was imported`;
  throw error;
}

/**
 * Where a portrait path written in the file points, or null when it is absolute or climbs out of
 * `base` (symbolic links are checked again when the file is opened).
 */
function portraitPath(base: string, written: string): string | null {
  if (isAbsolute(written) || written.includes('\0')) return null;
  const clean = normalize(written);
  if (clean === '..' || clean.startsWith(`..${sep}`)) return null;
  return resolve(base, clean);
}

/**
 * Parses and validates a whole file; expired documents may be imported
 * (the registry knows them; enrolment refuses them).
 */
export async function parseRegistryFile(path: string, deps: RegistryFileDeps): Promise<ParsedRegistryFile> {
  const file = await readRegularFile(path, { maxBytes: REGISTRY_LIMITS.fileBytes });
  if (!file.ok) {
    if (file.error === 'too_large') throw RegistryFileError('registry.file_too_large', { limit: 'file_bytes', max: REGISTRY_LIMITS.fileBytes });
    throw RegistryFileError('registry.file_unreadable', { problem: file.error });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.value);
  } catch {
    throw RegistryFileError('registry.file_unreadable', { problem: 'not_utf8' });
  }
  const { now } = deps;
  const today = chinaCalendarDate(now);
  const base = dirname(resolve(path));
  const records: RegistryRecord[] = [];
  const seen = new Set<string>();
  let portraitBytes = 0;
  let engine: FaceEngine | undefined;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    if (raw.trim() === '') continue;
    if (records.length === REGISTRY_LIMITS.records) throw RegistryFileError('registry.file_too_large', { limit: 'records', max: REGISTRY_LIMITS.records, line: lineNumber });
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
      // The unknown key itself is file content: it is not repeated, the line number finds it.
      if (issue.code === 'unrecognized_keys') lineError(lineNumber, 'registry.unknown_field', field);
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

    const where = portraitPath(base, line.portrait);
    if (where === null) lineError(lineNumber, 'registry.portrait_outside_directory', 'portrait');
    const read = await readRegularFile(where, { maxBytes: REGISTRY_LIMITS.portraitBytes, insideDirectory: base });
    if (!read.ok) lineError(lineNumber, PORTRAIT_FILE_REASON[read.error], 'portrait');
    const portrait = new Uint8Array(read.value.buffer, read.value.byteOffset, read.value.length);
    if (!isImage(portrait)) lineError(lineNumber, 'registry.portrait_not_image', 'portrait');
    portraitBytes += portrait.length;
    if (portraitBytes > REGISTRY_LIMITS.totalPortraitBytes) throw RegistryFileError('registry.file_too_large', { limit: 'total_portrait_bytes', max: REGISTRY_LIMITS.totalPortraitBytes, line: lineNumber });
    // A portrait the face step cannot use would make every face attempt of this person fail.
    engine ??= await deps.faceEngine();
    const face = await analyseFace(engine, portrait);
    if (!face.ok) lineError(lineNumber, PORTRAIT_FACE_REASON[face.error.code], 'portrait');

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
  }
  return { records };
}
