/**
 * Passive liveness: one photo, scored by the fr_liveness presentation-attack model (a
 * "silent face anti-spoofing" classifier over the face and its surroundings). It looks for the
 * texture of paper prints and screens; it does not see masks made well, and it is sensitive to
 * lighting and camera (docs/face.md lists what we measured).
 */
import type { AnalysedFace, FaceEngine } from '../face-engine.ts';
import { modelLabel } from '../match-policy.ts';

/** Probability of "live" at or above which a face passes (the model vendor's demo uses 0.6). */
export const PASSIVE_LIVENESS_THRESHOLD = 0.6;

export interface PassiveLivenessDecision {
  readonly method: 'passive';
  readonly passed: boolean;
  readonly score: number;
  readonly threshold: number;
  readonly model: string;
}

export async function checkPassiveLiveness(engine: FaceEngine, analysed: AnalysedFace, threshold: number = PASSIVE_LIVENESS_THRESHOLD): Promise<PassiveLivenessDecision> {
  const score = await engine.liveness(analysed.image, analysed.face);
  return { method: 'passive', passed: score >= threshold, score: Math.round(score * 10_000) / 10_000, threshold, model: modelLabel(engine.modelInfo) };
}
