/**
 * Head yaw from the 68 landmarks, without a 3-D model: where the nose tip sits between the two
 * sides of the jaw contour. 0 is a frontal face; the value is positive when the nose is nearer the
 * right-hand edge of the image (the person turned to their own left, in an unmirrored camera image)
 * and negative when nearer the left-hand edge. ±1 would be a full profile.
 */
import type { Point } from '../face-engine.ts';

export function yawIndex(landmarks: readonly Point[]): number {
  if (landmarks.length !== 68) throw new TypeError(`expected 68 landmarks, got ${landmarks.length}`);
  const nose = landmarks[30]!;
  // Average three contour points per side (cheek level) to damp landmark jitter.
  const left = (landmarks[1]!.x + landmarks[2]!.x + landmarks[3]!.x) / 3;
  const right = (landmarks[13]!.x + landmarks[14]!.x + landmarks[15]!.x) / 3;
  const width = right - left;
  if (width <= 0) return 0;
  const toLeft = nose.x - left;
  const toRight = right - nose.x;
  return (toLeft - toRight) / width;
}
