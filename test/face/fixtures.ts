/**
 * Face photographs for tests, read at test time from the sample pictures that
 * @vladmandic/face-api ships (node_modules/@vladmandic/face-api/demo/sample1–6.jpg, MIT licence
 * per the package; group photos of real people). A "photo" here is a region of one of those
 * pictures holding exactly one face, cut out with sharp in memory.
 *
 * Two kinds of second photo exist, and tests must not confuse them:
 * - personA has two genuinely different photographs (different shoot, lighting, hair, expression);
 *   that they show the same woman is our judgement by eye, backed by a similarity far above every
 *   impostor pair (docs/face.md) — it is not ground truth from a labelled dataset.
 * - personB, personC and turnedFace get a *derived* second photo: the same capture rotated a few
 *   degrees, rescaled, brightened and recompressed as JPEG. It proves robustness to capture
 *   changes only, not to a new pose or age.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
export const SAMPLE_DIR = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
export const samplePath = (n: 1 | 2 | 3 | 4 | 5 | 6): string => join(SAMPLE_DIR, `sample${n}.jpg`);

export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface PhotoRef {
  readonly label: string;
  readonly path: string;
  /** Part of the picture to keep; whole picture when absent. */
  readonly region?: Region;
  /** A realistic re-capture derived from the same picture (see the header), not a distinct photo. */
  readonly derived?: boolean;
}

const photo = (label: string, n: 1 | 2 | 3 | 4 | 5 | 6, region?: Region, derived?: boolean): PhotoRef => ({
  label,
  path: samplePath(n),
  ...(region ? { region } : {}),
  ...(derived ? { derived } : {}),
});

const A1 = { left: 1300, top: 60, width: 560, height: 620 };
const A2 = { left: 880, top: 40, width: 560, height: 640 };
const B = { left: 1420, top: 120, width: 480, height: 600 };
const C = { left: 1340, top: 40, width: 520, height: 520 };
const TURNED = { left: 250, top: 200, width: 520, height: 560 };

export const faces = {
  /** Two distinct photographs of one woman: sample1 (right) and sample3 (middle). */
  personA: [photo('sample1 right', 1, A1), photo('sample3 middle', 3, A2)],
  /** sample6 right; second photo derived. */
  personB: [photo('sample6 right', 6, B), photo('sample6 right, derived', 6, B, true)],
  /** sample2 right; second photo derived. */
  personC: [photo('sample2 right', 2, C), photo('sample2 right, derived', 2, C, true)],
  /** sample1 left: a face turned well to one side (yaw index ≈ −0.6), for head-turn tests. */
  turnedFace: [photo('sample1 left', 1, TURNED), photo('sample1 left, derived', 1, TURNED, true)],
} as const;

/** Pictures with several faces (3 in sample1). */
export const groupPhoto = photo('sample1 (three people)', 1);

/** A region of sample5 with a staircase and a wall but no face. */
export const noFacePhoto = photo('sample5 top-left, no person', 5, { left: 0, top: 0, width: 520, height: 800 });

/** The realistic re-capture used for derived photos: +4°, 70 % size, 15 % brighter, JPEG q70. */
export async function derive(jpeg: Uint8Array): Promise<Uint8Array> {
  const meta = await sharp(jpeg).metadata();
  const out = await sharp(jpeg)
    .rotate(4, { background: '#808080' })
    .resize(Math.round((meta.width ?? 100) * 0.7))
    .modulate({ brightness: 1.15 })
    .jpeg({ quality: 70 })
    .toBuffer();
  return new Uint8Array(out);
}

/** JPEG bytes of a photo reference, made in memory. */
export async function loadPhoto(ref: PhotoRef): Promise<Uint8Array> {
  let pipeline = sharp(ref.path);
  if (ref.region) pipeline = pipeline.extract(ref.region);
  const jpeg = new Uint8Array(await pipeline.jpeg({ quality: 92 }).toBuffer());
  return ref.derived ? derive(jpeg) : jpeg;
}
