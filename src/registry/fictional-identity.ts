/**
 * `netid registry add --portrait MY_PHOTO.jpg`: a fictional identity with your own face, so the
 * enrolment's face step can be tried with a real camera on a development machine (the demo
 * identities show strangers' faces). The identity is a 居民身份证 with a generated number that
 * passes every document rule; the photograph is turned upright, scaled to at most 1600 px and
 * written, with a one-line registry file, into `<NETID_DATA_DIR>/registry-add/<number>/`, which is
 * then imported like any registry file — so the photograph must show exactly one usable face, by
 * the same check as every import (docs/registry-format.md). Refused in production.
 */
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { chinaCalendarDate } from '../domain/dates.ts';
import { mod11_2CheckCharacter } from '../domain/documents/index.ts';
import { defineErrors } from '../domain/errors.ts';
import { readRegularFile } from './regular-file.ts';

export const FictionalIdentityError = defineErrors({
  'registry.add_refused_in_production': {
    status: 403,
    en: 'Fictional identities are for development and demos: `netid registry add` is refused when NODE_ENV is production. Import registry records with `netid registry import`.',
    zh: '虚构身份仅用于开发和演示：NODE_ENV 为 production 时拒绝 `netid registry add`。请用 `netid registry import` 导入登记记录。',
  },
  'registry.photo_unreadable': {
    status: 400,
    en: 'The photograph cannot be read: give the path of an existing JPEG or PNG file of at most 30 MiB.',
    zh: '无法读取照片：请给出一个存在的 JPEG 或 PNG 文件路径，大小不超过 30 MiB。',
  },
  'registry.photo_not_image': {
    status: 400,
    en: 'The photograph is not an image this service can read; use a JPEG or PNG file.',
    zh: '照片不是本服务可读取的图像，请使用 JPEG 或 PNG 文件。',
  },
  'registry.name_invalid': {
    status: 400,
    en: 'The name must be 1–200 characters of displayable text.',
    zh: '姓名须为 1–200 个可显示字符。',
  },
});

/** A phone photograph is often 10 MiB; it is scaled down before the import's 5 MiB portrait limit applies. */
const MAX_PHOTO_BYTES = 30 * 1024 * 1024;
const MAX_PORTRAIT_SIDE = 1600;
/** 北京市朝阳区, the address code the demo identities use. */
const ADDRESS_CODE = '110105';

export interface FictionalIdentity {
  readonly document_type: 'cn_resident_id';
  readonly document_number: string;
  readonly name: string;
  readonly birth_date: string;
  readonly sex: 'M' | 'F';
  readonly nationality: 'CHN';
  readonly expiry_date: string;
}

export interface FictionalIdentityDeps {
  readonly now: () => Date;
  /** A uniform integer in [0, max). */
  readonly randomInt?: (max: number) => number;
}

/** The same calendar day `years` later (29 February becomes 28 February). */
function yearsLater(date: string, years: number): string {
  const [year, month, day] = date.split('-');
  const later = `${Number(year) + years}-${month}-${day}`;
  return month === '02' && day === '29' ? later.replace(/-29$/, '-28') : later;
}

/** An adult born between 1970 and 1999, with a valid resident ID number encoding that date and sex. */
export function fictionalIdentity(input: { name?: string | undefined; sex?: 'M' | 'F' | undefined }, deps: FictionalIdentityDeps): FictionalIdentity {
  const random = deps.randomInt ?? ((max: number) => randomInt(max));
  const name = (input.name ?? '演示用户').trim().normalize('NFC');
  if (name.length < 1 || name.length > 200) throw FictionalIdentityError('registry.name_invalid');
  const sex = input.sex ?? (random(2) === 0 ? 'F' : 'M');
  const birth = new Date(Date.UTC(1970, 0, 1) + random(30 * 365) * 86_400_000).toISOString().slice(0, 10);
  // GB 11643: the sequence digit is odd for men, even for women.
  const sequence = String(random(500) * 2 + (sex === 'M' ? 1 : 0)).padStart(3, '0');
  const body = `${ADDRESS_CODE}${birth.replaceAll('-', '')}${sequence}`;
  return { document_type: 'cn_resident_id', document_number: `${body}${mod11_2CheckCharacter(body)}`, name, birth_date: birth, sex, nationality: 'CHN', expiry_date: yearsLater(chinaCalendarDate(deps.now()), 20) };
}

/**
 * Reads the photograph, writes it and a one-line registry file naming it into
 * `<dataDir>/registry-add/<number>/`, and returns the registry file's path, ready for the import.
 */
export async function writeFictionalIdentity(identity: FictionalIdentity, photoPath: string, dataDir: string): Promise<string> {
  const photo = await readRegularFile(photoPath, { maxBytes: MAX_PHOTO_BYTES });
  if (!photo.ok) throw FictionalIdentityError('registry.photo_unreadable', { problem: photo.error });
  let portrait: Buffer;
  try {
    portrait = await sharp(photo.value).rotate().resize({ width: MAX_PORTRAIT_SIDE, height: MAX_PORTRAIT_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
  } catch {
    throw FictionalIdentityError('registry.photo_not_image');
  }
  const dir = join(dataDir, 'registry-add', identity.document_number);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'portrait.jpg'), portrait, { mode: 0o600 });
  const file = join(dir, 'registry.jsonl');
  await writeFile(file, `${JSON.stringify({ ...identity, portrait: 'portrait.jpg', status: 'valid' })}\n`, { mode: 0o600 });
  return file;
}
