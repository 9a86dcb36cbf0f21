/**
 * Model files are code: the engine loads only files whose SHA-256 matches the SHA256SUMS list
 * committed beside them, and refuses to start otherwise (a swapped model would silently change who
 * matches whom).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export const FACE_MODEL_FILES = ['fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx', 'fr_liveness.onnx'] as const;
export type FaceModelFile = (typeof FACE_MODEL_FILES)[number];

/** Default location: models/face/ at the repository root. */
export const DEFAULT_FACE_MODEL_DIR = new URL('../../models/face/', import.meta.url).pathname;

export class ModelChecksumError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'ModelChecksumError';
    this.file = file;
  }
}

/** Parses `sha256sum` output: "<hex>  <path>" per line. Keys are file names. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const match = /^([0-9a-f]{64})\s+\*?(.+)$/i.exec(trimmed);
    if (!match) throw new ModelChecksumError('SHA256SUMS', `malformed SHA256SUMS line: ${trimmed}`);
    sums.set(basename(match[2]!), match[1]!.toLowerCase());
  }
  return sums;
}

/** Reads every model file of `dir`, checks it against `dir`/SHA256SUMS, and returns the bytes. */
export async function loadVerifiedModels(dir: string): Promise<{ bytes: Record<FaceModelFile, Uint8Array>; sha256: Record<FaceModelFile, string> }> {
  const sums = parseSha256Sums(await readFile(join(dir, 'SHA256SUMS'), 'utf8'));
  const bytes = {} as Record<FaceModelFile, Uint8Array>;
  const sha256 = {} as Record<FaceModelFile, string>;
  for (const file of FACE_MODEL_FILES) {
    const expected = sums.get(file);
    if (!expected) throw new ModelChecksumError(file, `${file} is not listed in SHA256SUMS`);
    const content = await readFile(join(dir, file));
    const actual = createHash('sha256').update(content).digest('hex');
    if (actual !== expected) throw new ModelChecksumError(file, `${file}: SHA-256 ${actual} does not match SHA256SUMS (${expected}); refusing to load`);
    bytes[file] = new Uint8Array(content.buffer, content.byteOffset, content.length);
    sha256[file] = actual;
  }
  return { bytes, sha256 };
}
