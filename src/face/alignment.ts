/**
 * Face alignment for the embedding model: the similarity transform (rotation, uniform scale,
 * translation) that best maps five facial points onto the reference positions of a 112×112
 * ArcFace-style crop, in the least-squares sense (Umeyama 1991, without reflection).
 */
import type { Affine } from './image.ts';
import type { Point } from './face-engine.ts';

/** Eye centres, nose tip and mouth corners in the 112×112 crop the embedding model expects. */
export const ALIGNED_FACE_POINTS: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

/** The five alignment points (left eye, right eye, nose tip, mouth corners) from 68 iBUG points. */
export function fivePoints(landmarks: readonly Point[]): Point[] {
  if (landmarks.length !== 68) throw new TypeError(`expected 68 landmarks, got ${landmarks.length}`);
  const at = (i: number): Point => landmarks[i]!;
  const mean = (...idx: number[]): Point => ({
    x: idx.reduce((s, i) => s + at(i).x, 0) / idx.length,
    y: idx.reduce((s, i) => s + at(i).y, 0) / idx.length,
  });
  return [mean(36, 37, 38, 39, 40, 41), mean(42, 43, 44, 45, 46, 47), at(30), mean(48, 60), mean(54, 64)];
}

/** Least-squares similarity transform taking `from` onto `to` (same length, ≥ 2 points). */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || to.length !== n) throw new TypeError('need two equally long point lists of at least 2 points');
  let mfx = 0, mfy = 0, mtx = 0, mty = 0;
  for (let i = 0; i < n; i++) {
    mfx += from[i]!.x; mfy += from[i]!.y; mtx += to[i]!.x; mty += to[i]!.y;
  }
  mfx /= n; mfy /= n; mtx /= n; mty /= n;
  // With complex numbers z = x + iy the best similarity is t = s·e^{iθ}·z + c, where
  // s·e^{iθ} = Σ conj(zf)·zt / Σ |zf|² over centred points.
  let num_re = 0, num_im = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const fx = from[i]!.x - mfx, fy = from[i]!.y - mfy;
    const tx = to[i]!.x - mtx, ty = to[i]!.y - mty;
    num_re += fx * tx + fy * ty;
    num_im += fx * ty - fy * tx;
    den += fx * fx + fy * fy;
  }
  if (den < 1e-9) throw new TypeError('degenerate points');
  const a = num_re / den;
  const b = num_im / den;
  // x' = a·x − b·y + cx ; y' = b·x + a·y + cy
  return [a, -b, mtx - (a * mfx - b * mfy), b, a, mty - (b * mfx + a * mfy)];
}
